package dev.rotor.api;

import java.util.Optional;

/** What a caller of the admin API may do. A caller holds the scopes its token or API key grants. */
public enum Scope {
    /** Read secret metadata, rotation runs and metrics. */
    READ("rotor.read"),
    /** Ask for a routine rotation. */
    ROTATE("rotor.rotate"),
    /** Ask for an emergency rotation (the old credential is revoked at once). */
    EMERGENCY("rotor.emergency");

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    /** The scope as tokens and API keys carry it, e.g. {@code rotor.read}. */
    public String value() {
        return value;
    }

    /** The scope named {@code value}, if it is one of Rotor's. */
    public static Optional<Scope> of(String value) {
        for (Scope s : values()) {
            if (s.value.equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
