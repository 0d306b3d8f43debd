package dev.rotor.watch;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.spi.WatchableStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows rotation: polls the version metadata of watched refs and tells listeners when the
 * version a ref's selector points at changes.
 *
 * <pre>{@code
 * try (SecretWatcher watcher = SecretWatcher.builder(rotor).pollInterval(Duration.ofSeconds(30)).build()) {
 *     watcher.watch(SecretRef.parse("secret://main/db/app"), change ->
 *             pool.setPassword(rotor.store("main").get("db/app", Selector.version(change.current().id()))));
 *     ...
 * }
 * }</pre>
 *
 * <ul>
 *   <li>The refs of one store are checked together: one version read per distinct path, every
 *       poll interval with jitter (each delay drawn from {@code pollInterval × (1 ± jitter)}).
 *   <li>A check reads version metadata ({@link WatchableStore#pollVersions} when the store
 *       offers it, else {@link SecretStore#versions}), never values. When a ref's version
 *       changed, the store's cached values of that path are dropped (if it is a
 *       {@link WatchableStore}), then each listener of the ref is called with (previous, current).
 *   <li>{@link #watch} reads the version the ref points at now, so a change after it is never
 *       missed. If that read fails, the first check that succeeds sets the starting point
 *       instead, without calling the listener.
 *   <li>A failing check backs off (the delay doubles per failure, up to the larger of the poll
 *       interval and 5 minutes), never throws into the application, is logged once per outage,
 *       and its refs appear in {@link #notFollowed()} (and the gauge
 *       {@code rotor.watch.refs.notFollowed}) until a check succeeds.
 *   <li>With {@link Builder#events}, an event from the daemon for a watched ref checks that
 *       ref at once; polling goes on regardless.
 * </ul>
 *
 * <p>Thread-safe. Scheduling runs on one small platform thread; the checks and the listeners
 * run on virtual threads (or on the caller's thread for {@link #checkNow()}). A listener is not
 * called concurrently for the same change, but may be for changes of different refs.
 */
public final class SecretWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecretWatcher.class);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    static final String METRIC_REFS = "rotor.watch.refs";
    static final String METRIC_NOT_FOLLOWED = "rotor.watch.refs.notFollowed";

    private final Function<String, SecretStore> stores;
    private final Duration pollInterval;
    private final double jitter;
    private final Clock clock;
    private final @Nullable MetricRegistry metrics;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService checks;
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    private final @Nullable EventFollower events;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SecretWatcher(Builder b) {
        this.stores = b.stores;
        this.pollInterval = b.pollInterval;
        this.jitter = b.jitter;
        this.clock = b.clock;
        this.metrics = b.metrics;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rotor-watcher");
            t.setDaemon(true);
            return t;
        });
        this.checks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("rotor-watch-check-", 0).factory());
        if (metrics != null) {
            metrics.register(METRIC_REFS, (Gauge<Integer>) this::watchCount);
            metrics.register(METRIC_NOT_FOLLOWED, (Gauge<Integer>) () -> notFollowed().size());
        }
        this.events = b.eventsUrl == null ? null
                : new EventFollower(b.eventsUrl, Objects.requireNonNull(b.bearerToken), this::pushed, this::reconnected);
        if (events != null) {
            events.start();
        }
    }

    /** @param stores store name to store; throwing (or returning {@code null}) for an unknown name */
    public static Builder builder(Function<String, SecretStore> stores) {
        return new Builder(Objects.requireNonNull(stores, "stores"));
    }

    public static Builder builder(Rotor rotor) {
        Objects.requireNonNull(rotor, "rotor");
        return builder(rotor::store);
    }

    /**
     * Watches the version {@code ref}'s selector points at (CURRENT unless the ref says
     * otherwise). The field of the ref plays no part: a change of version is a change of every field.
     *
     * @throws InvalidConfigurationException if no store has the ref's store name
     * @throws IllegalStateException if the watcher is closed
     */
    public Subscription watch(SecretRef ref, SecretChangeListener listener) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new IllegalStateException("the watcher is closed");
        }
        SecretStore store = store(ref.store());
        Watch w = new Watch(ref, listener);
        try {
            w.seen.set(new Seen(select(poll(store, ref.path()), ref.selector())));
        } catch (RuntimeException e) {
            LOG.warn("watching {}: reading its version failed with {}; the first check that succeeds sets the starting point",
                    ref.format(), e.getClass().getSimpleName());
        }
        Group g = groups.computeIfAbsent(ref.store(), Group::new);
        g.watches.add(w);
        g.scheduleIfIdle();
        return w;
    }

    /** Checks every watched ref once, now, on the calling thread; listeners are called before it returns. */
    public void checkNow() {
        for (Group g : groups.values()) {
            check(g, w -> true);
        }
    }

    /** The refs whose last check failed: their changes are not seen until a check succeeds. */
    public Set<SecretRef> notFollowed() {
        Set<SecretRef> out = new LinkedHashSet<>();
        for (Group g : groups.values()) {
            if (g.failingSince != null) {
                g.watches.forEach(w -> out.add(w.ref));
            }
        }
        return out;
    }

    private int watchCount() {
        int n = 0;
        for (Group g : groups.values()) {
            n += g.watches.size();
        }
        return n;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (events != null) {
            events.close();
        }
        scheduler.shutdownNow();
        checks.shutdownNow();
        if (metrics != null) {
            metrics.remove(METRIC_REFS);
            metrics.remove(METRIC_NOT_FOLLOWED);
        }
    }

    // ------------------------------------------------------------------ checking

    /** What a watch last saw: {@code version} null when the selector pointed at nothing. */
    private record Seen(@Nullable VersionInfo version) {
        boolean sameVersion(@Nullable VersionInfo other) {
            return version == null ? other == null : other != null && version.id().equals(other.id());
        }
    }

    private final class Watch implements Subscription {
        final SecretRef ref;
        final SecretChangeListener listener;
        /** null until the starting point is known. */
        final AtomicReference<@Nullable Seen> seen = new AtomicReference<>();

        Watch(SecretRef ref, SecretChangeListener listener) {
            this.ref = ref;
            this.listener = listener;
        }

        @Override
        public void close() {
            Group g = groups.get(ref.store());
            if (g != null) {
                g.watches.remove(this);
            }
        }

        @Override
        public String toString() {
            return "Subscription[" + ref.format() + "]";
        }
    }

    /** The watches of one store, checked together. */
    private final class Group {
        final String store;
        final Set<Watch> watches = ConcurrentHashMap.newKeySet();
        final AtomicBoolean scheduled = new AtomicBoolean();
        /** Consecutive failed checks; written by checks only. */
        volatile int failures;
        volatile @Nullable Instant failingSince;
        volatile @Nullable ScheduledFuture<?> next;

        Group(String store) {
            this.store = store;
        }

        void scheduleIfIdle() {
            if (scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }

        void schedule() {
            if (closed.get()) {
                return;
            }
            try {
                next = scheduler.schedule(() -> submitPoll(this), delay(failures).toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private void submitPoll(Group g) {
        try {
            checks.execute(() -> {
                try {
                    check(g, w -> true);
                } finally {
                    g.schedule();
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** A daemon event named {@code ref}: check the watches of that path now. */
    private void pushed(SecretRef ref) {
        Group g = groups.get(ref.store());
        if (g == null || closed.get()) {
            return;
        }
        try {
            checks.execute(() -> check(g, w -> w.ref.path().equals(ref.path())));
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** Events may have been missed while the stream was down: check everything once. */
    private void reconnected() {
        for (Group g : groups.values()) {
            try {
                checks.execute(() -> check(g, w -> true));
            } catch (RejectedExecutionException e) {
                return;
            }
        }
    }

    /** The delay before the next poll after {@code failures} failed checks in a row, with jitter. */
    Duration delay(int failures) {
        long base = pollInterval.toNanos();
        if (failures > 0) {
            long cap = Math.max(base, MAX_BACKOFF.toNanos());
            int shift = Math.min(failures, 20);
            base = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
        }
        double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofNanos(Math.max(1, (long) (base * factor)));
    }

    private SecretStore store(String name) {
        SecretStore s = stores.apply(name);
        if (s == null) {
            throw new InvalidConfigurationException("stores." + name, "no store named '" + name + "' is configured");
        }
        return s;
    }

    private static List<VersionInfo> poll(SecretStore store, String path) {
        try {
            return store instanceof WatchableStore w ? w.pollVersions(path) : store.versions(path);
        } catch (SecretNotFoundException e) {
            return List.of(); // deleted: the ref points at nothing
        }
    }

    private static @Nullable VersionInfo select(List<VersionInfo> versions, Selector selector) {
        for (VersionInfo v : versions) {
            boolean match = switch (selector) {
                case Selector.ByStage s -> v.has(s.stage());
                case Selector.ByVersion id -> v.id().equals(id.versionId());
            };
            if (match) {
                return v;
            }
        }
        return null;
    }

    private void check(Group g, Predicate<Watch> which) {
        Map<String, List<Watch>> byPath = new LinkedHashMap<>();
        for (Watch w : g.watches) {
            if (which.test(w)) {
                byPath.computeIfAbsent(w.ref.path(), p -> new ArrayList<>()).add(w);
            }
        }
        if (byPath.isEmpty()) {
            return;
        }
        SecretStore store;
        try {
            store = store(g.store);
        } catch (RuntimeException e) {
            failed(g, e, byPath.size());
            return;
        }
        RuntimeException failure = null;
        for (Map.Entry<String, List<Watch>> e : byPath.entrySet()) {
            try {
                checkPath(store, e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }
        if (failure != null) {
            failed(g, failure, byPath.size());
        } else if (g.failures > 0) {
            LOG.info("store '{}': watched refs are followed again after {} failed check(s)", g.store, g.failures);
            g.failures = 0;
            g.failingSince = null;
        }
    }

    private void failed(Group g, RuntimeException e, int paths) {
        int n = g.failures + 1;
        g.failures = n;
        if (n == 1) {
            g.failingSince = clock.instant();
            LOG.warn("store '{}': checking the versions of {} watched path(s) failed with {}; their refs are not followed until a check succeeds",
                    g.store, paths, e.getClass().getSimpleName());
        } else {
            LOG.debug("store '{}': watch check failed again ({} in a row) with {}", g.store, n, e.getClass().getSimpleName());
        }
    }

    private void checkPath(SecretStore store, String path, List<Watch> watches) {
        // Read what each watch saw before reading the store: the store's answer is then at
        // least as new, and the compare-and-set below keeps a slower check from undoing a newer one.
        List<@Nullable Seen> before = new ArrayList<>(watches.size());
        for (Watch w : watches) {
            before.add(w.seen.get());
        }
        List<VersionInfo> versions = poll(store, path);
        List<Watch> toCall = new ArrayList<>();
        List<SecretChange> changes = new ArrayList<>();
        for (int i = 0; i < watches.size(); i++) {
            Watch w = watches.get(i);
            Seen was = before.get(i);
            VersionInfo now = select(versions, w.ref.selector());
            if (was != null && was.sameVersion(now)) {
                continue;
            }
            if (!w.seen.compareAndSet(was, new Seen(now)) || was == null) {
                continue; // another check got there first, or this is the starting point
            }
            if (now == null) {
                LOG.info("watched {} points at no version any more (was {})", w.ref.format(), was.version() == null ? "-" : was.version().id());
                continue;
            }
            toCall.add(w);
            changes.add(new SecretChange(w.ref, was.version(), now));
        }
        if (changes.isEmpty()) {
            return;
        }
        if (store instanceof WatchableStore ws) {
            ws.invalidate(path);
        }
        for (int i = 0; i < changes.size(); i++) {
            SecretChange c = changes.get(i);
            LOG.info("watched {} changed from version {} to {}", c.ref().format(),
                    c.previous() == null ? "-" : c.previous().id(), c.current().id());
            try {
                toCall.get(i).listener.onChange(c);
            } catch (RuntimeException e) {
                // The exception's message may quote anything the listener read: its type only.
                LOG.warn("a listener of {} failed with {} on the change to version {}", c.ref().format(),
                        e.getClass().getName(), c.current().id());
            }
        }
    }

    // ------------------------------------------------------------------ builder

    /** Builds a {@link SecretWatcher}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private final Function<String, SecretStore> stores;
        private @Nullable Duration pollInterval = Duration.ofSeconds(30);
        private double jitter = 0.2;
        private @Nullable Clock clock = Clock.systemUTC();
        private @Nullable URI eventsUrl;
        private @Nullable Supplier<String> bearerToken;
        private boolean eventsSet;
        private @Nullable MetricRegistry metrics;

        private Builder(Function<String, SecretStore> stores) {
            this.stores = stores;
        }

        /** How often each store's watched refs are checked; 30 seconds by default, at least 10 ms. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /** Fraction of the poll interval each delay varies by, in [0, 1); 0.2 by default. */
        public Builder jitter(double fraction) {
            this.jitter = fraction;
            return this;
        }

        /** The clock that dates failures; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Follows the daemon's {@code GET /v1/events} stream ({@code http(s)://host:port/v1/events}):
         * an event for a watched ref checks it at once. Polling continues regardless.
         *
         * @param bearerToken asked for on each (re)connection; an API key or token with {@code rotor.read}
         */
        public Builder events(URI daemonEventsUrl, Supplier<String> bearerToken) {
            this.eventsUrl = daemonEventsUrl;
            this.bearerToken = bearerToken;
            this.eventsSet = true;
            return this;
        }

        /** Registers the gauges {@code rotor.watch.refs} and {@code rotor.watch.refs.notFollowed}. */
        public Builder metrics(MetricRegistry registry) {
            this.metrics = registry;
            return this;
        }

        /** @throws InvalidConfigurationException listing every problem, each with its field */
        public SecretWatcher build() {
            List<ConfigProblem> problems = new ArrayList<>();
            if (pollInterval == null || pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                problems.add(new ConfigProblem("watch.pollInterval", "must be at least 10ms, was " + pollInterval));
            }
            if (!(jitter >= 0 && jitter < 1)) {
                problems.add(new ConfigProblem("watch.jitter", "must be at least 0 and below 1, was " + jitter));
            }
            if (clock == null) {
                problems.add(new ConfigProblem("watch.clock", "is required when set"));
            }
            if (eventsSet) {
                if (eventsUrl == null) {
                    problems.add(new ConfigProblem("watch.events.url", "is required"));
                } else if (!"http".equalsIgnoreCase(eventsUrl.getScheme()) && !"https".equalsIgnoreCase(eventsUrl.getScheme())) {
                    problems.add(new ConfigProblem("watch.events.url", "must be an http or https URL"));
                }
                if (bearerToken == null) {
                    problems.add(new ConfigProblem("watch.events.token", "is required"));
                }
            }
            if (metrics != null) {
                for (String name : List.of(METRIC_REFS, METRIC_NOT_FOLLOWED)) {
                    if (metrics.getMetrics().containsKey(name)) {
                        problems.add(new ConfigProblem("watch.metrics", "already has a metric named '" + name + "': another open watcher reports to it"));
                    }
                }
            }
            InvalidConfigurationException.throwIfAny(problems);
            return new SecretWatcher(this);
        }
    }
}
