package dev.rotor.store;

import dev.rotor.ConfigProblem;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Small validation helpers shared by the option records; each adds a problem instead of throwing. */
final class Checks {

    private Checks() {}

    /** Adds a problem unless {@code value} is set and at least {@code min}; returns whether it was fine. */
    static boolean atLeast(List<ConfigProblem> problems, String field, @Nullable Duration value, Duration min) {
        if (value == null) {
            problems.add(new ConfigProblem(field, "is required"));
            return false;
        }
        if (value.compareTo(min) < 0) {
            problems.add(new ConfigProblem(field, min.isZero() ? "must not be negative (was " + value + ")"
                    : "must be at least " + min + " (was " + value + ")"));
            return false;
        }
        return true;
    }
}
