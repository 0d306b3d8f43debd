package dev.rotor.daemon;

import dev.rotor.kubernetes.KubernetesSyncTarget;
import dev.rotor.rotation.RotationOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One rotation policy from {@code rotor.yaml}: what to rotate, with which rotator, how often and when.
 *
 * @param name unique among the policies; names the Quartz job and the metrics
 * @param target one secret or a selector
 * @param rotator the name of an entry of {@code rotators}
 * @param interval how long after the last successful rotation the next falls due
 * @param window when rotations may run
 * @param jitter how far past the window's earliest moment a rotation may be spread (deterministic per ref)
 * @param grace how long PREVIOUS keeps working before RETIRE revokes it
 * @param alerts the alert routes told about this policy's problems
 * @param sync where each new CURRENT is copied in Kubernetes after a rotation ({@code sync.kubernetes}), or {@code null}
 */
public record Policy(String name, PolicyTarget target, String rotator, Duration interval, Window window, Duration jitter,
        Duration grace, List<String> alerts, @Nullable KubernetesSyncTarget sync) {

    public static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    public static final Duration DEFAULT_JITTER = Duration.ZERO;
    public static final Duration DEFAULT_GRACE = RotationOptions.DEFAULT_GRACE_PERIOD;
    /** The interval when none is given: by what a rotator type rotates. */
    static final Map<String, Duration> DEFAULT_INTERVALS = Map.of(
            "postgres-password", Duration.ofDays(90),
            "mariadb-password", Duration.ofDays(90),
            "signing-keys", Duration.ofDays(90),
            "keycloak-client-secret", Duration.ofDays(180),
            "random-secret", Duration.ofDays(180));

    public Policy {
        Objects.requireNonNull(name, "name");
        if (!name.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException("policy name must be 1 to 63 of A-Z a-z 0-9 . _ -, not starting with . _ -");
        }
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(rotator, "rotator");
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("interval must be at least 1s");
        }
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(jitter, "jitter");
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must not be negative");
        }
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
        alerts = List.copyOf(alerts);
        if (sync != null && !(target instanceof PolicyTarget.Single)) {
            throw new IllegalArgumentException("sync needs a policy of one ref, not a selector");
        }
    }

    /** A policy without a Kubernetes sync. */
    public Policy(String name, PolicyTarget target, String rotator, Duration interval, Window window, Duration jitter,
            Duration grace, List<String> alerts) {
        this(name, target, rotator, interval, window, jitter, grace, alerts, null);
    }

    /** The default interval for a rotator type, if Rotor knows the type. */
    public static java.util.Optional<Duration> defaultInterval(String rotatorType) {
        return java.util.Optional.ofNullable(DEFAULT_INTERVALS.get(rotatorType));
    }
}
