package dev.rotor.rotator.postgres;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.rotor.rotator.sql.NamedStrategy;
import java.util.Locale;

/** How a PostgreSQL credential is rotated. */
public enum Strategy implements NamedStrategy {
    /**
     * One login role whose password is changed in place ({@code ALTER ROLE ... PASSWORD}). The
     * old password stops working at APPLY; clients bridge the gap by retrying once with PENDING.
     */
    SINGLE_USER,
    /**
     * Two login roles that share a group role's privileges; each rotation sets a new password on
     * the idle one and the secret's username switches to it. The previous role keeps working
     * until RETIRE (or the next rotation, which reuses it).
     */
    ALTERNATING;

    /** The name used in settings: {@code single-user} or {@code alternating}. */
    @JsonValue
    @Override
    public String id() {
        return NamedStrategy.super.id();
    }

    /** Parses a settings name, case-insensitively; also accepts the enum constant's name. */
    @JsonCreator
    public static Strategy of(String name) {
        return NamedStrategy.find(Strategy.class, name.strip().toLowerCase(Locale.ROOT).replace('_', '-'), name);
    }

    @Override
    public String toString() {
        return id();
    }
}
