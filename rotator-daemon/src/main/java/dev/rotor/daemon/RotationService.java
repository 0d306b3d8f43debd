package dev.rotor.daemon;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditSink;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationListener;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.spi.RotatorProvider;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rotations of the configured policies through a {@link RotationEngine} per store: one
 * secret at once ({@link #rotate}), one pass over everything due ({@link #runDue()}), the plan of
 * each secret ({@link #status()}) and the overdue check ({@link #checkOverdue()}).
 *
 * <p>The last successful rotation of a secret is the creation time of its CURRENT version, read
 * from the store each time: a restart, or another node, loses nothing.
 *
 * <p>A run a dead process left on a secret is finished (or undone) with
 * {@link RotationEngine#resume} before anything else, and counts as that secret's rotation: the
 * secret is not rotated a second time for the same due date.
 *
 * <p>Thread-safe: any number of threads may work on different secrets; the engine's lease keeps
 * two runs off one secret, within and across processes. Listeners may be added at any time.
 */
public final class RotationService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotationService.class);

    /** One secret of a policy. */
    public record Target(Policy policy, SecretRef ref) {
        public Target {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(ref, "ref");
        }

        public String path() {
            return ref.path();
        }
    }

    /**
     * What a due pass did with one secret.
     *
     * @param result the engine's result, or {@code null} if nothing ran (not due)
     * @param plan the plan after the pass
     * @param busyUntil set when another run held the secret's lease: its expiry
     * @param retryAt set after a failure when a retry fits in the window
     */
    public record DueResult(Target target, @Nullable RotationResult result, Schedule.Plan plan, @Nullable Instant busyUntil,
            @Nullable Instant retryAt) {

        public boolean failed() {
            return result instanceof RotationResult.Failed;
        }

        public boolean rotated() {
            return result instanceof RotationResult.Succeeded;
        }
    }

    /** A row of {@code rotor status}. @param state ok, due, overdue, or pending (a run under way or left by a dead process) */
    public record Status(String policy, SecretRef ref, String rotator, String rotatorType, Schedule.Plan plan, String state) {}

    private final DaemonConfig config;
    private final Rotor rotor;
    private final RotatorRegistry registry;
    private final Clock clock;
    private final Function<String, @Nullable String> environment;
    private final Schedule schedule;
    private final DaemonMetrics metrics;
    private final Map<String, RotationEngine> engines = new LinkedHashMap<>();
    private final Map<String, Rotator> rotators = new ConcurrentHashMap<>();
    private final List<RotationListener> listeners = new CopyOnWriteArrayList<>();
    private final List<PolicyNoticeListener> noticeListeners = new CopyOnWriteArrayList<>();

    private RotationService(Builder b) {
        this.config = b.config;
        this.rotor = b.rotor;
        this.registry = b.registry;
        this.clock = b.clock;
        this.environment = b.environment;
        this.schedule = Schedule.of(config.scheduler());
        this.metrics = b.metrics;
        RotationOptions options = RotationOptions.defaults().withLeaseDuration(config.scheduler().leaseDuration());
        for (Policy p : config.policies()) {
            String storeName = p.target().store();
            if (!engines.containsKey(storeName)) {
                RotationEngine.Builder eb = RotationEngine.builder(rotor.store(storeName)).clock(clock).options(options)
                        .listener(this::dispatch);
                if (b.auditSink != null) {
                    eb.auditSink(b.auditSink);
                }
                if (b.holder != null) {
                    eb.holder(b.holder);
                }
                engines.put(storeName, eb.build());
            }
        }
        listeners.add(metrics);
    }

    public static Builder builder(DaemonConfig config, Rotor rotor) {
        return new Builder(config, rotor);
    }

    public DaemonConfig config() {
        return config;
    }

    public Schedule schedule() {
        return schedule;
    }

    public DaemonMetrics metrics() {
        return metrics;
    }

    public Clock clock() {
        return clock;
    }

    /** Adds a listener for every rotation event of every engine (after audit). */
    public void addListener(RotationListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Adds a listener for failed, overdue, on-time and emergency notices (alerting). */
    public void addNoticeListener(PolicyNoticeListener listener) {
        noticeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---- targets and plans -----------------------------------------------------------------

    /** Every secret of every policy (a selector is expanded by listing its store). */
    public List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (Policy p : config.policies()) {
            out.addAll(targets(p));
        }
        return out;
    }

    /** The secrets of one policy. */
    public List<Target> targets(Policy policy) {
        return switch (policy.target()) {
            case PolicyTarget.Single s -> List.of(new Target(policy, s.ref()));
            case PolicyTarget.Matching m -> {
                SecretStore store = rotor.store(m.store());
                List<Target> out = new ArrayList<>();
                for (String path : store.list(m.prefix())) {
                    if (path.startsWith(engineOf(m.store()).options().leasePrefix())) {
                        continue;
                    }
                    VersionInfo current = current(store, path);
                    if (current != null && m.matches(path, current.tags())) {
                        out.add(new Target(policy, SecretRef.of(m.store(), path)));
                    }
                }
                yield out;
            }
        };
    }

    /**
     * The policy that covers {@code ref}: the policy naming it, else the first selector matching it.
     *
     * @throws InvalidConfigurationException if no policy covers it
     */
    public Target target(SecretRef ref) {
        SecretRef plain = SecretRef.of(ref.store(), ref.path());
        for (Policy p : config.policies()) {
            if (p.target() instanceof PolicyTarget.Single s && s.ref().equals(plain)) {
                return new Target(p, plain);
            }
        }
        for (Policy p : config.policies()) {
            if (p.target() instanceof PolicyTarget.Matching m && m.store().equals(plain.store())) {
                VersionInfo current = current(rotor.store(m.store()), plain.path());
                if (m.matches(plain.path(), current == null ? Map.of() : current.tags())) {
                    return new Target(p, plain);
                }
            }
        }
        throw new InvalidConfigurationException("policies", "no policy covers " + plain.format());
    }

    /** The tags of the secret's CURRENT version (empty if it has none). */
    public Map<String, String> currentTags(Target t) {
        VersionInfo current = current(rotor.store(t.ref().store()), t.path());
        return current == null ? Map.of() : current.tags();
    }

    /** The plan of one secret now, from its CURRENT version's creation time. */
    public Schedule.Plan plan(Target t) {
        VersionInfo current = current(rotor.store(t.ref().store()), t.path());
        Schedule.Plan plan = schedule.plan(t.policy(), t.ref(), current == null ? null : current.created(), clock.instant());
        metrics.plan(t.policy().name(), t.ref(), plan);
        return plan;
    }

    /** The status of every secret of every policy. */
    public List<Status> status() {
        List<Status> rows = new ArrayList<>();
        Instant now = clock.instant();
        for (Target t : targets()) {
            Schedule.Plan plan = plan(t);
            boolean pending = engineOf(t.ref().store()).pendingRun(t.path()).isPresent();
            String state = pending ? "pending" : plan.state(now).name().toLowerCase(java.util.Locale.ROOT);
            RotatorConfig rc = Objects.requireNonNull(config.rotor().rotator(t.policy().rotator()));
            rows.add(new Status(t.policy().name(), t.ref(), rc.name(), rc.type(), plan, state));
        }
        return rows;
    }

    // ---- rotating --------------------------------------------------------------------------

    /**
     * Rotates one secret now, under the policy that covers it (an emergency retires the old
     * credential at once).
     *
     * @throws InvalidConfigurationException if no policy covers {@code ref}
     * @throws RotationInProgressException if another run holds the secret
     */
    public RotationResult rotate(SecretRef ref, RotationRequest request) {
        return rotate(target(ref), request);
    }

    /** Rotates one secret of a policy now. @throws RotationInProgressException if another run holds the secret */
    public RotationResult rotate(Target t, RotationRequest request) {
        Objects.requireNonNull(request, "request");
        Schedule.Plan before = plan(t);
        RotationResult result = engineOf(t.ref().store()).rotate(t.path(), rotator(t.policy()), request);
        after(t, before, result, null);
        if (request.emergency()) {
            String runId = switch (result) {
                case RotationResult.Succeeded s -> s.runId();
                case RotationResult.Failed f -> f.runId();
                case RotationResult.RolledBack r -> r.runId();
                case RotationResult.Retired r -> r.runId();
                case RotationResult.NothingToDo n -> "none";
            };
            boolean retired = result instanceof RotationResult.Succeeded s && s.previousRetired();
            notice(new PolicyNotice.Emergency(t.policy().name(), t.ref(), t.policy().alerts(), clock.instant(), runId, request.actor(),
                    Objects.requireNonNull(request.reason()), result instanceof RotationResult.Succeeded, retired));
        }
        return result;
    }

    /** One pass over every secret of every policy (see {@link #runDue(Target, int, boolean)}), without retries. */
    public List<DueResult> runDue() {
        List<DueResult> out = new ArrayList<>();
        for (Target t : targets()) {
            out.add(runDue(t, 0, false));
        }
        return out;
    }

    /**
     * Does what is due for one secret: finishes a run a dead process left; retires PREVIOUS once
     * the policy's grace period is over; rotates if the plan says so. A held lease is not an error:
     * the result says until when the secret is busy.
     *
     * @param failedBefore how many attempts for this due date failed already (for the backoff)
     * @param retries whether a failure will be retried (sets {@link DueResult#retryAt()})
     */
    public DueResult runDue(Target t, int failedBefore, boolean retries) {
        RotationEngine engine = engineOf(t.ref().store());
        Rotator rotator;
        try {
            rotator = rotator(t.policy());
        } catch (RuntimeException e) {
            LOG.error("policy {}: rotator {} cannot be opened: {}", t.policy().name(), t.policy().rotator(), e.getClass().getSimpleName());
            throw e;
        }
        try {
            if (engine.pendingRun(t.path()).isPresent()) {
                Schedule.Plan before = plan(t);
                RotationResult resumed = engine.resume(t.path(), rotator);
                Instant retryAt = after(t, before, resumed, retries ? failedBefore + 1 : null);
                if (resumed instanceof RotationResult.Succeeded || resumed instanceof RotationResult.Failed) {
                    return new DueResult(t, resumed, plan(t), null, retryAt);
                }
            }
            RotationResult retired = engine.retireDue(t.path(), rotator, t.policy().grace());
            if (retired instanceof RotationResult.Failed f) {
                LOG.warn("policy {}: retiring PREVIOUS of {} failed at {}: {}", t.policy().name(), t.ref(), f.step(), f.message());
            }
            Schedule.Plan plan = plan(t);
            Instant now = clock.instant();
            if (!plan.runnable(now)) {
                return new DueResult(t, retired instanceof RotationResult.Retired ? retired : null, plan, null, null);
            }
            RotationRequest request = new RotationRequest(false, plan.lastSuccess() == null ? "first rotation" : "scheduled",
                    RotationRequest.DEFAULT_ACTOR);
            RotationResult result = engine.rotate(t.path(), rotator, request);
            Instant retryAt = after(t, plan, result, retries ? failedBefore + 1 : null);
            return new DueResult(t, result, plan(t), null, retryAt);
        } catch (RotationInProgressException e) {
            LOG.info("policy {}: {} is being rotated by {} until {}", t.policy().name(), t.ref(), e.holder(), e.until());
            return new DueResult(t, null, plan(t), e.until(), null);
        }
    }

    /** Overdue notices for every secret past its deadline (also sent to the notice listeners). */
    public List<PolicyNotice.Overdue> checkOverdue() {
        List<PolicyNotice.Overdue> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Target t : targets()) {
            Schedule.Plan plan = plan(t);
            if (plan.state(now) == Schedule.State.OVERDUE) {
                PolicyNotice.Overdue n = new PolicyNotice.Overdue(t.policy().name(), t.ref(), t.policy().alerts(), now, plan.lastSuccess(),
                        plan.due(), plan.deadline());
                LOG.warn("policy {}: {} is overdue: due {}, deadline {}", n.policy(), n.ref(), n.due(), n.deadline());
                out.add(n);
                notice(n);
            }
        }
        return out;
    }

    private @Nullable Instant after(Target t, Schedule.Plan before, RotationResult result, @Nullable Integer attempt) {
        Instant now = clock.instant();
        switch (result) {
            case RotationResult.Succeeded s -> {
                LOG.info("policy {}: rotated {} to version {} (run {}{})", t.policy().name(), t.ref(), s.currentVersionId(), s.runId(),
                        s.resumed() ? ", resumed" : "");
                notice(new PolicyNotice.Rotated(t.policy().name(), t.ref(), t.policy().alerts(), now, s.runId(), s.currentVersionId(),
                        before.state(now) == Schedule.State.OVERDUE));
            }
            case RotationResult.Failed f -> {
                Instant retryAt = attempt == null ? null : Schedule.retryAt(t.policy().window(), now, attempt,
                        config.scheduler().retryInitial(), config.scheduler().retryMax()).orElse(null);
                LOG.warn("policy {}: rotating {} failed at {} (run {}): {}; {}", t.policy().name(), t.ref(), f.step(), f.runId(), f.message(),
                        retryAt == null ? "no retry in this window" : "retry at " + retryAt);
                notice(new PolicyNotice.Failed(t.policy().name(), t.ref(), t.policy().alerts(), now, f.runId(), f.step().name(), f.message(),
                        retryAt));
                return retryAt;
            }
            case RotationResult.RolledBack r -> LOG.info("policy {}: undid run {} on {}: {}", t.policy().name(), r.runId(), t.ref(), r.why());
            case RotationResult.Retired r -> LOG.info("policy {}: retired version {} of {}", t.policy().name(), r.retiredVersionId(), t.ref());
            case RotationResult.NothingToDo n -> LOG.debug("policy {}: nothing to do on {}: {}", t.policy().name(), t.ref(), n.why());
        }
        return null;
    }

    private void dispatch(dev.rotor.rotation.RotationEvent event) {
        for (RotationListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("rotation listener {} failed on {} of run {}: {}", l.getClass().getName(), event.getClass().getSimpleName(),
                        event.runId(), e.getClass().getName());
            }
        }
    }

    private void notice(PolicyNotice n) {
        for (PolicyNoticeListener l : noticeListeners) {
            try {
                l.onNotice(n);
            } catch (RuntimeException e) {
                LOG.warn("notice listener {} failed on {} for {}: {}", l.getClass().getName(), n.getClass().getSimpleName(), n.ref(),
                        e.getClass().getName());
            }
        }
    }

    private RotationEngine engineOf(String store) {
        RotationEngine e = engines.get(store);
        if (e == null) {
            throw new InvalidConfigurationException("policies", "no policy rotates secrets of store '" + store + "'");
        }
        return e;
    }

    /** The policy's rotator, opened on first use (opening does no I/O). */
    public Rotator rotator(Policy policy) {
        return rotators.computeIfAbsent(policy.rotator(), name -> {
            RotatorConfig rc = config.rotor().rotator(name);
            if (rc == null) {
                throw new InvalidConfigurationException("policies", "no rotator named '" + name + "'");
            }
            RotatorProvider provider = registry.find(rc.type()).orElseThrow(() -> new InvalidConfigurationException(rc.fieldPath("type"),
                    "unknown rotator type '" + rc.type() + "'"));
            return provider.open(rc, new RotatorContext(clock, environment, this::storeOrNull));
        });
    }

    private @Nullable SecretStore storeOrNull(String name) {
        return rotor.storeNames().contains(name) ? rotor.store(name) : null;
    }

    /**
     * When the secret's PREVIOUS version is to be retired: the policy's grace period after CURRENT
     * was written; {@code null} if there is no PREVIOUS (nothing to retire).
     */
    public @Nullable Instant retireAt(Target t) {
        VersionInfo current = null;
        boolean previous = false;
        try {
            for (VersionInfo v : rotor.store(t.ref().store()).versions(t.path())) {
                if (v.has(Stage.CURRENT)) {
                    current = v;
                }
                previous |= v.has(Stage.PREVIOUS);
            }
        } catch (SecretNotFoundException e) {
            return null;
        }
        return current == null || !previous ? null : current.created().plus(t.policy().grace());
    }

    private static @Nullable VersionInfo current(SecretStore store, String path) {
        try {
            for (VersionInfo v : store.versions(path)) {
                if (v.has(Stage.CURRENT)) {
                    return v;
                }
            }
            return null;
        } catch (SecretNotFoundException e) {
            return null;
        }
    }

    /** Closes the rotators this service opened (their pools); the {@link Rotor} stays the caller's. */
    @Override
    public void close() {
        for (Rotator r : rotators.values()) {
            if (r instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing rotator {} failed: {}", r.type(), e.getClass().getName());
                }
            }
        }
        rotators.clear();
    }

    /** Options for a service; not thread-safe. */
    public static final class Builder {
        private final DaemonConfig config;
        private final Rotor rotor;
        private RotatorRegistry registry = RotatorRegistry.builtIn();
        private Clock clock = Clock.systemUTC();
        private Function<String, @Nullable String> environment = System::getenv;
        private @Nullable AuditSink auditSink;
        private @Nullable String holder;
        private @Nullable DaemonMetrics metrics;

        private Builder(DaemonConfig config, Rotor rotor) {
            this.config = Objects.requireNonNull(config, "config");
            this.rotor = Objects.requireNonNull(rotor, "rotor");
        }

        public Builder rotators(RotatorRegistry r) {
            this.registry = Objects.requireNonNull(r, "rotators");
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Where rotators look up the environment variables their settings name. */
        public Builder environment(Function<String, @Nullable String> env) {
            this.environment = Objects.requireNonNull(env, "environment");
            return this;
        }

        /** Where rotation events are audited (the same sink the stores audit into). */
        public Builder auditSink(@Nullable AuditSink sink) {
            this.auditSink = sink;
            return this;
        }

        /** The name leases are held under (default: host, process id and a random suffix). */
        public Builder holder(String h) {
            this.holder = Objects.requireNonNull(h, "holder");
            return this;
        }

        public Builder metrics(DaemonMetrics m) {
            this.metrics = Objects.requireNonNull(m, "metrics");
            return this;
        }

        public RotationService build() {
            if (metrics == null) {
                metrics = new DaemonMetrics(new com.codahale.metrics.MetricRegistry(), clock);
            }
            return new RotationService(this);
        }
    }
}
