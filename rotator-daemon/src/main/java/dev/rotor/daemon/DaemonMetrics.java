package dev.rotor.daemon;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.SecretRef;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's Dropwizard metrics. Names carry policy names, refs, steps and outcomes, never a value:
 * <ul>
 *   <li>{@code rotor.rotations.<outcome>}: counters, outcome one of succeeded, failed, rolled-back, retired, emergency
 *   <li>{@code rotor.rotation.step.<STEP>}: timers, the time each step took
 *   <li>{@code rotor.secret.age-seconds.<policy>.<ref>}: gauge, seconds since the last successful rotation (-1 if none)
 *   <li>{@code rotor.secret.days-until-due.<policy>.<ref>}: gauge, days until the next rotation falls due (negative: past due)
 * </ul>
 * The gauges read the last plan the daemon computed (no store call when scraped).
 *
 * <p>Thread-safe.
 */
public final class DaemonMetrics implements RotationListener {

    private final MetricRegistry registry;
    private final Clock clock;
    private final Map<String, Schedule.Plan> plans = new ConcurrentHashMap<>();
    // When each run's previous event happened, to time the step that ended with the next one.
    private final Map<String, Instant> lastEvent = new ConcurrentHashMap<>();

    public DaemonMetrics(MetricRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public MetricRegistry registry() {
        return registry;
    }

    public Counter outcome(String outcome) {
        return registry.counter(MetricRegistry.name("rotor.rotations", outcome));
    }

    /** Records the plan of a policy's secret and registers its gauges the first time. */
    public void plan(String policy, SecretRef ref, Schedule.Plan plan) {
        String key = policy + "." + ref.format();
        if (plans.put(key, plan) == null) {
            registry.gauge(MetricRegistry.name("rotor.secret.age-seconds", policy, ref.format()), () -> (Gauge<Long>) () -> {
                Schedule.Plan p = plans.get(key);
                return p == null || p.lastSuccess() == null ? -1L : Duration.between(p.lastSuccess(), clock.instant()).toSeconds();
            });
            registry.gauge(MetricRegistry.name("rotor.secret.days-until-due", policy, ref.format()), () -> (Gauge<Double>) () -> {
                Schedule.Plan p = plans.get(key);
                return p == null ? Double.NaN : Duration.between(clock.instant(), p.due()).toSeconds() / 86_400.0;
            });
        }
    }

    @Override
    public void onEvent(RotationEvent event) {
        switch (event) {
            case RotationEvent.Started s -> lastEvent.put(s.runId(), s.time());
            case RotationEvent.StepCompleted c -> {
                Instant before = lastEvent.put(c.runId(), c.time());
                if (before != null) {
                    registry.timer(MetricRegistry.name("rotor.rotation.step", c.step().name()))
                            .update(Duration.between(before, c.time()).toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            case RotationEvent.Succeeded s -> {
                lastEvent.remove(s.runId());
                outcome("succeeded").inc();
                if (s.emergency()) {
                    outcome("emergency").inc();
                }
            }
            case RotationEvent.Failed f -> {
                lastEvent.remove(f.runId());
                outcome("failed").inc();
            }
            case RotationEvent.RolledBack r -> outcome("rolled-back").inc();
            case RotationEvent.Retired r -> outcome("retired").inc();
        }
    }
}
