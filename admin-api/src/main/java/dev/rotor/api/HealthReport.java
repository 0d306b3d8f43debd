package dev.rotor.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The daemon's answer to a health or readiness probe.
 *
 * @param up whether the daemon is healthy (or ready)
 * @param checks each component's state in a word or two, e.g. {@code store:main -> "up"};
 *     never a secret, never an exception message from outside Rotor
 */
public record HealthReport(boolean up, Map<String, String> checks) {

    public HealthReport {
        Objects.requireNonNull(checks, "checks");
        checks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks));
    }

    /** Up, with no component checks. */
    public static HealthReport ok() {
        return new HealthReport(true, Map.of());
    }
}
