package dev.rotor.rotator.postgres;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a PostgreSQL credential is rotated. */
public enum Strategy {
    /**
     * One login role whose password is changed in place ({@code ALTER ROLE ... PASSWORD}). The
     * old password stops working at APPLY; clients bridge the gap by retrying once with PENDING.
     */
    SINGLE_USER("single-user"),
    /**
     * Two login roles that share a group role's privileges; each rotation sets a new password on
     * the idle one and the secret's username switches to it. The previous role keeps working
     * until RETIRE (or the next rotation, which reuses it).
     */
    ALTERNATING("alternating");

    private final String id;

    Strategy(String id) {
        this.id = id;
    }

    /** The name used in settings: {@code single-user} or {@code alternating}. */
    @JsonValue
    public String id() {
        return id;
    }

    /** Parses a settings name, case-insensitively; also accepts the enum constant's name. */
    @JsonCreator
    public static Strategy of(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Strategy s : values()) {
            if (s.id.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "' (known: "
                + Arrays.stream(values()).map(Strategy::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
