package dev.rotor.alert;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import dev.rotor.alert.internal.SinkWorker;
import dev.rotor.audit.AuditEvent;
import dev.rotor.config.Durations;
import dev.rotor.audit.AuditSink;
import dev.rotor.rotation.RotationListener;
import dev.rotor.store.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotor's alerting: the rules that turn what happens into notices, their deduplication, and
 * their delivery to named routes of sinks.
 *
 * <h2>What feeds it</h2>
 * <ul>
 *   <li>{@link #rotationListener()}: a failed run raises {@code rotation failed} once per secret
 *       and step (its key); a later success resolves it. A finished emergency run raises a
 *       CRITICAL {@code emergency rotation executed} naming the actor and the reason.
 *   <li>{@link #overdue(SecretRef, Instant)} and {@link #onTime(SecretRef)}, from the scheduler.
 *   <li>{@link #watch(AuditSink)}: a decorator that reports its sink's failures
 *       ({@link #auditSinkFailed}) and watches reads for unusual access; or
 *       {@link #onAudit(AuditEvent)} for events seen elsewhere.
 *   <li>{@link #authFailure(String)}, from the admin API.
 * </ul>
 *
 * <h2>Deduplication</h2>
 * A condition (failed, overdue, audit sink failure) is sent when it begins; reported again, it
 * is sent again only once the re-notify interval has passed since the last notice; when it ends a
 * resolved notice is sent once, to the same routes. An occurrence (emergency rotation, unusual
 * access, a burst of authentication failures) is sent at most once per key per re-notify interval
 * and is never resolved.
 *
 * <h2>Routing</h2>
 * An alert about a secret goes to the routes its policy names ({@link Builder#policyRoutes}), or to
 * the default routes if it names none; other alerts go to the default routes. Without default
 * routes configured, every route is a default route.
 *
 * <p>Thread-safe. Every method returns at once: rules keep their state in memory behind short
 * locks and delivery runs on one thread per sink ({@link DeliveryOptions}), so no caller waits on
 * a remote system. Alerts hold refs, steps, actors, reasons and error types, never a secret value.
 */
public final class Alerting implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
    /** States kept for occurrences before old ones are pruned early. */
    private static final int PRUNE_AT = 10_000;

    private final Clock clock;
    private final Duration renotify;
    private final Map<String, List<SinkWorker>> routes;
    private final List<String> defaultRoutes;
    private final Function<SecretRef, List<String>> policyRoutes;
    private final List<SinkWorker> workers;
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Set<String> warnedRoutes = ConcurrentHashMap.newKeySet();
    private final RotationAlerts rotation;
    private final AccessWatcher access;
    private final AuthFailureWatcher authFailures;

    /** What was last sent for a key. */
    private record Sent(Alert alert, Instant at, List<String> routes, boolean condition, long occurrences) {}

    private Alerting(Builder b) {
        this.clock = b.clock;
        this.renotify = b.renotify;
        this.policyRoutes = b.policyRoutes;
        Map<AlertSink, SinkWorker> bySink = new IdentityHashMap<>();
        List<SinkWorker> all = new ArrayList<>();
        Map<String, List<SinkWorker>> r = new LinkedHashMap<>();
        b.routes.forEach((name, sinks) -> r.put(name, sinks.stream()
                .map(s -> bySink.computeIfAbsent(s, k -> {
                    SinkWorker w = new SinkWorker(k, b.delivery, b.sleeper, "rotor-alert-" + all.size());
                    all.add(w);
                    return w;
                }))
                .toList()));
        this.routes = Map.copyOf(r);
        this.workers = List.copyOf(all);
        this.defaultRoutes = b.defaultRoutes == null ? List.copyOf(r.keySet()) : List.copyOf(b.defaultRoutes);
        this.rotation = new RotationAlerts(this);
        this.access = new AccessWatcher(clock.instant().plus(b.learningPeriod), b.readsPerMinute);
        this.authFailures = new AuthFailureWatcher(b.authFailureThreshold, b.authFailureWindow);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- rules -------------------------------------------------------------------------------

    /** Give this to {@code RotationEngine.Builder#listener}. */
    public RotationListener rotationListener() {
        return rotation;
    }

    /** The scheduler found no successful rotation of {@code ref} by {@code deadline} (due + window + slack). */
    public void overdue(SecretRef ref, Instant deadline) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(deadline, "deadline");
        Instant now = clock.instant();
        String r = plain(ref);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("deadline", deadline.toString());
        Duration late = Duration.between(deadline, now);
        d.put("overdueBy", Durations.format(late.isNegative() ? Duration.ZERO : late.withNanos(0)));
        raise(new Alert(Alert.KIND_ROTATION_OVERDUE + "|" + r, Severity.CRITICAL, Alert.KIND_ROTATION_OVERDUE, r,
                "rotation of " + r + " is overdue: no successful rotation by " + deadline, d, now, false), routesFor(ref));
    }

    /** The scheduler saw {@code ref} rotated in time (again): ends an overdue condition. */
    public void onTime(SecretRef ref) {
        resolve(Alert.KIND_ROTATION_OVERDUE + "|" + plain(ref));
    }

    /**
     * An audit sink failed to record an event.
     *
     * @param sink the sink's {@link AuditSink#describe()}
     * @param error the error's type (never its message, which may quote what was being written)
     */
    public void auditSinkFailed(String sink, String error) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(error, "error");
        Instant now = clock.instant();
        raise(new Alert(Alert.KIND_AUDIT_SINK_FAILED + "|" + sink, Severity.CRITICAL, Alert.KIND_AUDIT_SINK_FAILED, sink,
                "audit sink " + sink + " is failing; audited access is refused while it fails closed", Map.of("error", error), now, false),
                defaultRoutes);
    }

    /** The audit sink wrote again: ends its failure condition. */
    public void auditSinkRecovered(String sink) {
        resolve(Alert.KIND_AUDIT_SINK_FAILED + "|" + sink);
    }

    /**
     * Copying the CURRENT version of {@code ref} to a consumer (a Kubernetes Secret, say) failed;
     * the rotation itself is done. Deduplicated per ref and target like the other conditions.
     *
     * @param target where the copy goes, e.g. {@code kubernetes:ns/secret}; no credentials
     * @param error what failed: the verb, the object and the error's type or status, never a value
     */
    public void syncFailed(SecretRef ref, String target, String versionId, String error) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(error, "error");
        Instant now = clock.instant();
        String r = plain(ref);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("target", target);
        d.put("version", versionId);
        d.put("error", error);
        raise(new Alert(Alert.KIND_SYNC_FAILED + "|" + r + "|" + target, Severity.CRITICAL, Alert.KIND_SYNC_FAILED, r,
                "sync of " + r + " to " + target + " failed; the rotation is done, consumers still see the old version", d, now, false),
                routesFor(ref));
    }

    /** The copy of {@code ref} to {@code target} succeeded again: ends its sync failure condition. */
    public void syncRecovered(SecretRef ref, String target) {
        resolve(Alert.KIND_SYNC_FAILED + "|" + plain(ref) + "|" + target);
    }

    /** Wraps {@code sink} so that its failures raise alerts and the events it records are watched for unusual access. */
    public AuditSink watch(AuditSink sink) {
        return new AlertingAuditSink(sink, this);
    }

    /** Looks at one audited access for unusual access (read rate per actor, unknown actor of a secret). */
    public void onAudit(AuditEvent event) {
        for (Alert a : access.observe(event)) {
            SecretRef ref = a.kind().equals(Alert.KIND_ACCESS_NEW_ACTOR) ? refOf(event) : null;
            notifyOnce(a, ref == null ? defaultRoutes : routesFor(ref));
        }
    }

    /**
     * An API call failed authentication.
     *
     * @param clientOrIp the client id or remote address; never a token or key
     */
    public void authFailure(String clientOrIp) {
        Objects.requireNonNull(clientOrIp, "clientOrIp");
        authFailures.observe(Alert.oneLine(clientOrIp), clock.instant()).ifPresent(a -> notifyOnce(a, defaultRoutes));
    }

    // ---- dedup and delivery ------------------------------------------------------------------

    /** Sends a condition's alert, unless one with its key was sent within the re-notify interval. */
    void raise(Alert alert, List<String> routeNames) {
        // Decided inside compute (atomic per key), delivered after it: no queueing under the map's lock.
        Sent[] decided = new Sent[1];
        sent.compute(alert.key(), (k, prev) -> {
            if (prev == null || !prev.condition()) {
                decided[0] = new Sent(alert, alert.time(), routeNames, true, 1);
                return decided[0];
            }
            long n = prev.occurrences() + 1;
            if (Duration.between(prev.at(), alert.time()).compareTo(renotify) >= 0) {
                Alert again = alert.withDetail("occurrences", Long.toString(n)).withDetail("firstSeen", prev.alert().time().toString());
                decided[0] = new Sent(again, alert.time(), prev.routes(), true, n);
                return new Sent(prev.alert(), alert.time(), prev.routes(), true, n);
            }
            return new Sent(prev.alert(), prev.at(), prev.routes(), true, n);
        });
        if (decided[0] != null) {
            deliver(decided[0].alert(), decided[0].routes());
        } else {
            LOG.debug("alert {} suppressed: sent less than {} ago", alert.key(), renotify);
        }
    }

    /** Ends the condition of {@code key} if one is active, sending its resolved notice once. */
    void resolve(String key) {
        Sent[] ended = new Sent[1];
        sent.computeIfPresent(key, (k, prev) -> {
            if (!prev.condition()) {
                return prev;
            }
            ended[0] = prev;
            return null;
        });
        if (ended[0] != null) {
            deliver(ended[0].alert().resolvedAt(clock.instant()), ended[0].routes());
        }
    }

    /** Ends every active condition whose key starts with {@code prefix}. */
    void resolvePrefix(String prefix) {
        for (String key : List.copyOf(sent.keySet())) {
            if (key.startsWith(prefix)) {
                resolve(key);
            }
        }
    }

    /** Sends an occurrence, unless one with its key was sent within the re-notify interval. */
    void notifyOnce(Alert alert, List<String> routeNames) {
        boolean[] send = new boolean[1];
        sent.compute(alert.key(), (k, prev) -> {
            if (prev == null || Duration.between(prev.at(), alert.time()).compareTo(renotify) >= 0) {
                send[0] = true;
                return new Sent(alert, alert.time(), routeNames, false, 1);
            }
            return new Sent(prev.alert(), prev.at(), prev.routes(), prev.condition(), prev.occurrences() + 1);
        });
        if (send[0]) {
            deliver(alert, routeNames);
        }
        if (sent.size() > PRUNE_AT) {
            prune();
        }
    }

    /** Forgets occurrences older than the re-notify interval; call now and then (the daemon: every minute). */
    public void prune() {
        Instant cutoff = clock.instant().minus(renotify);
        sent.entrySet().removeIf(e -> !e.getValue().condition() && e.getValue().at().isBefore(cutoff));
        authFailures.prune(clock.instant());
    }

    /** The keys of conditions active now (sent and not resolved), for status pages. */
    public Set<String> activeConditions() {
        Set<String> keys = new LinkedHashSet<>();
        sent.forEach((k, v) -> {
            if (v.condition()) {
                keys.add(k);
            }
        });
        return keys;
    }

    /** The ref of the secret itself, without field or selector, as rotation events name it. */
    private static String plain(SecretRef ref) {
        return SecretRef.of(ref.store(), ref.path()).format();
    }

    /** The policy's routes for {@code ref}; the default routes if it names none or the lookup fails. */
    List<String> routesFor(SecretRef ref) {
        List<String> named;
        try {
            named = policyRoutes.apply(SecretRef.of(ref.store(), ref.path()));
        } catch (RuntimeException e) {
            LOG.warn("alert routes of {} could not be looked up ({}); using the default routes", ref, e.getClass().getName());
            return defaultRoutes;
        }
        return named == null || named.isEmpty() ? defaultRoutes : List.copyOf(named);
    }

    Instant now() {
        return clock.instant();
    }

    private void deliver(Alert alert, List<String> routeNames) {
        Set<SinkWorker> targets = new LinkedHashSet<>();
        for (String name : routeNames) {
            List<SinkWorker> r = routes.get(name);
            if (r == null) {
                if (warnedRoutes.add(name)) {
                    LOG.warn("alert route '{}' is not configured; alerts for it go nowhere", name);
                }
                continue;
            }
            targets.addAll(r);
        }
        if (targets.isEmpty()) {
            LOG.warn("alert {} ({}) has no sink to go to (routes {})", alert.key(), alert.kind(), routeNames);
            return;
        }
        LOG.info("alert {} ({}{}) to {} sink(s)", alert.key(), alert.resolved() ? "resolved" : alert.severity(),
                alert.resolved() ? "" : ", " + alert.kind(), targets.size());
        for (SinkWorker w : targets) {
            w.offer(alert);
        }
    }

    private static @Nullable SecretRef refOf(AuditEvent e) {
        try {
            return SecretRef.of(e.store(), e.path());
        } catch (RuntimeException notARef) {
            return null;
        }
    }

    // ---- operations --------------------------------------------------------------------------

    /** Delivery counts per sink. */
    public List<DeliveryStats> deliveryStats() {
        return workers.stream().map(SinkWorker::stats).toList();
    }

    /**
     * Registers gauges summed over every sink: {@code rotor.alerts.delivered}, {@code .retried},
     * {@code .failed}, {@code .dropped}, {@code .queued}, and {@code rotor.alerts.active} (open
     * conditions). Names hold no sink address, so no URL reaches a metric name.
     */
    public void registerMetrics(MetricRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        registry.gauge("rotor.alerts.delivered", () -> () -> sum(DeliveryStats::delivered));
        registry.gauge("rotor.alerts.retried", () -> () -> sum(DeliveryStats::retried));
        registry.gauge("rotor.alerts.failed", () -> () -> sum(DeliveryStats::failed));
        registry.gauge("rotor.alerts.dropped", () -> () -> sum(DeliveryStats::dropped));
        registry.gauge("rotor.alerts.queued", () -> () -> sum(DeliveryStats::queued));
        registry.gauge("rotor.alerts.active", () -> () -> (long) activeConditions().size());
    }

    private long sum(java.util.function.ToLongFunction<DeliveryStats> f) {
        return deliveryStats().stream().mapToLong(f).sum();
    }

    /** Waits until every queued alert was delivered or given up on; false if {@code timeout} passed first. */
    public boolean awaitDelivery(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (SinkWorker w : workers) {
            if (!w.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Stops accepting alerts and gives queued ones up to 5 seconds per sink to go out; closes the sinks. */
    @Override
    public void close() {
        for (SinkWorker w : workers) {
            w.close(Duration.ofSeconds(5));
        }
    }

    // ---- builder -----------------------------------------------------------------------------

    /** Configures {@link Alerting}; {@link #build()} reports every problem at once. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration renotify = Duration.ofHours(4);
        private final Map<String, List<AlertSink>> routes = new LinkedHashMap<>();
        private @Nullable List<String> defaultRoutes;
        private Function<SecretRef, List<String>> policyRoutes = ref -> List.of();
        private int readsPerMinute = 120;
        private Duration learningPeriod = Duration.ofDays(7);
        private int authFailureThreshold = 20;
        private Duration authFailureWindow = Duration.ofMinutes(1);
        private DeliveryOptions delivery = DeliveryOptions.defaults();
        private Sleeper sleeper = Sleeper.system();
        private final List<ConfigProblem> problems = new ArrayList<>();

        private Builder() {}

        public Builder clock(Clock clock) {
            if (clock == null) {
                problems.add(new ConfigProblem("alerts.clock", "must not be null"));
            } else {
                this.clock = clock;
            }
            return this;
        }

        /** How long a condition or occurrence stays quiet after a notice. Default 4 hours. */
        public Builder renotify(Duration interval) {
            if (interval == null || interval.isNegative()) {
                problems.add(new ConfigProblem("alerts.renotify", "must be 0 or more"));
            } else {
                this.renotify = interval;
            }
            return this;
        }

        /** A named route and its sinks; a sink may serve several routes (it gets each alert once). */
        public Builder route(String name, List<? extends AlertSink> sinks) {
            if (name == null || !AlertConfig.ROUTE_NAME.matcher(name).matches()) {
                problems.add(new ConfigProblem("alerts.routes", "route name '" + name + "' must match " + AlertConfig.ROUTE_NAME));
            } else if (sinks == null || sinks.isEmpty() || sinks.stream().anyMatch(Objects::isNull)) {
                problems.add(new ConfigProblem("alerts.routes." + name, "needs at least one sink"));
            } else if (routes.putIfAbsent(name, List.copyOf(sinks)) != null) {
                problems.add(new ConfigProblem("alerts.routes." + name, "is defined twice"));
            }
            return this;
        }

        public Builder route(String name, AlertSink... sinks) {
            return route(name, sinks == null ? null : java.util.Arrays.asList(sinks));
        }

        /** Routes for alerts that name no policy routes. Default: every route. */
        public Builder defaultRoutes(List<String> names) {
            if (names == null) {
                problems.add(new ConfigProblem("alerts.defaultRoutes", "must not be null"));
            } else {
                this.defaultRoutes = List.copyOf(names);
            }
            return this;
        }

        /** The alert routes a secret's policy names ({@code policies[].alerts}); empty for the default routes. */
        public Builder policyRoutes(Function<SecretRef, List<String>> lookup) {
            if (lookup == null) {
                problems.add(new ConfigProblem("alerts.policyRoutes", "must not be null"));
            } else {
                this.policyRoutes = lookup;
            }
            return this;
        }

        /**
         * Unusual access: more than {@code readsPerMinute} reads by one actor within a minute, and
         * an actor never seen before for a secret once {@code learningPeriod} has passed since start.
         */
        public Builder unusualAccess(int readsPerMinute, Duration learningPeriod) {
            if (readsPerMinute < 1) {
                problems.add(new ConfigProblem("alerts.unusualAccess.readsPerMinute", "must be at least 1"));
            } else {
                this.readsPerMinute = readsPerMinute;
            }
            if (learningPeriod == null || learningPeriod.isNegative()) {
                problems.add(new ConfigProblem("alerts.unusualAccess.learningPeriod", "must be 0 or more"));
            } else {
                this.learningPeriod = learningPeriod;
            }
            return this;
        }

        /** A burst: {@code threshold} authentication failures of one client or address within {@code window}. */
        public Builder authFailures(int threshold, Duration window) {
            if (threshold < 1) {
                problems.add(new ConfigProblem("alerts.authFailures.threshold", "must be at least 1"));
            } else {
                this.authFailureThreshold = threshold;
            }
            if (window == null || window.isNegative() || window.isZero()) {
                problems.add(new ConfigProblem("alerts.authFailures.window", "must be positive"));
            } else {
                this.authFailureWindow = window;
            }
            return this;
        }

        public Builder delivery(DeliveryOptions options) {
            if (options == null) {
                problems.add(new ConfigProblem("alerts.delivery", "must not be null"));
            } else {
                this.delivery = options;
            }
            return this;
        }

        /** How delivery waits between tries; tests give one that does not wait. */
        public Builder sleeper(Sleeper sleeper) {
            if (sleeper == null) {
                problems.add(new ConfigProblem("alerts.sleeper", "must not be null"));
            } else {
                this.sleeper = sleeper;
            }
            return this;
        }

        /** @throws InvalidConfigurationException listing every problem */
        public Alerting build() {
            List<ConfigProblem> all = new ArrayList<>(problems);
            if (defaultRoutes != null) {
                for (int i = 0; i < defaultRoutes.size(); i++) {
                    if (!routes.containsKey(defaultRoutes.get(i))) {
                        all.add(new ConfigProblem("alerts.defaultRoutes[" + i + "]", "no route named '" + defaultRoutes.get(i) + "'"));
                    }
                }
            }
            InvalidConfigurationException.throwIfAny(all);
            return new Alerting(this);
        }
    }
}
