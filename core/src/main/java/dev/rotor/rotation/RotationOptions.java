package dev.rotor.rotation;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link RotationEngine} runs rotations.
 *
 * @param leaseDuration how long a rotation may hold a secret's lease without renewing it. A run
 *     renews it before a step once less than half is left, so this must exceed the longest single
 *     step (a rotator's timeouts); a dead holder blocks the secret for at most this long
 * @param gracePeriod how long PREVIOUS keeps working after a rotation before
 *     {@link RotationEngine#retireDue} revokes it (zero: at the first call)
 * @param leasePrefix the reserved path prefix under which each secret's lease record lives
 *     ({@code <leasePrefix><path>}); a path prefix ending in {@code /}
 */
public record RotationOptions(Duration leaseDuration, Duration gracePeriod, String leasePrefix) {

    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofMinutes(5);
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofDays(1);
    public static final String DEFAULT_LEASE_PREFIX = ".rotor/lease/";

    public RotationOptions {
        List<ConfigProblem> problems = new ArrayList<>();
        if (leaseDuration == null) {
            problems.add(new ConfigProblem("rotation.leaseDuration", "is required"));
        } else if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0 || leaseDuration.compareTo(Duration.ofDays(1)) > 0) {
            problems.add(new ConfigProblem("rotation.leaseDuration", "must be between 1 second and 1 day, was " + leaseDuration));
        }
        if (gracePeriod == null) {
            problems.add(new ConfigProblem("rotation.gracePeriod", "is required"));
        } else if (gracePeriod.isNegative()) {
            problems.add(new ConfigProblem("rotation.gracePeriod", "must not be negative, was " + gracePeriod));
        }
        if (leasePrefix == null) {
            problems.add(new ConfigProblem("rotation.leasePrefix", "is required"));
        } else if (!leasePrefix.endsWith("/") || leasePrefix.length() < 2) {
            problems.add(new ConfigProblem("rotation.leasePrefix", "must be a path prefix ending in '/', was '" + leasePrefix + "'"));
        } else {
            try {
                SecretRef.checkPath(leasePrefix + "x");
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem("rotation.leasePrefix", e.getMessage()));
            }
        }
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** Five-minute leases, a one-day grace period, leases under {@code .rotor/lease/}. */
    public static RotationOptions defaults() {
        return new RotationOptions(DEFAULT_LEASE_DURATION, DEFAULT_GRACE_PERIOD, DEFAULT_LEASE_PREFIX);
    }

    public RotationOptions withLeaseDuration(Duration d) {
        return new RotationOptions(d, gracePeriod, leasePrefix);
    }

    public RotationOptions withGracePeriod(Duration d) {
        return new RotationOptions(leaseDuration, d, leasePrefix);
    }

    public RotationOptions withLeasePrefix(String prefix) {
        return new RotationOptions(leaseDuration, gracePeriod, prefix);
    }
}
