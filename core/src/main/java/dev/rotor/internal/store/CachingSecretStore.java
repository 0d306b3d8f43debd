package dev.rotor.internal.store;

import dev.rotor.AuditUnavailableException;
import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditContext;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.CacheStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache layer: keeps the result of {@link #get} per (path, selector) for a jittered TTL.
 *
 * <ul>
 *   <li>A hit reads two concurrent maps and a volatile field, checks the expiry against
 *       {@link Clock#millis()} and tells the {@link CacheHitListener}s; it takes no lock and
 *       allocates nothing. Every hit returns the same {@link Secret} instance, whose value is
 *       a {@linkplain SecretValue#shared() shared} view.
 *   <li>Refresh-ahead: a hit in the last {@code refreshAhead} fraction of the entry's lifetime
 *       also starts one background reload (on a virtual thread, as the caller for the audit
 *       log) and returns the still fresh value, so a steadily read entry is reloaded before it
 *       expires and its readers never wait. At most one load per entry runs at a time; a
 *       reload that fails leaves the fresh value in place and backs the entry off as below.
 *       Bulk reads ({@link #getAll}) do not refresh ahead.
 *   <li>A miss starts one backend load per entry; concurrent callers of the same entry wait
 *       for that load. The load runs on the caller's thread outside any lock or map
 *       computation, so a slow backend never holds up readers of other entries.
 *   <li>A failed refresh (any {@link RotorException} except not-found and audit failures)
 *       serves the last good value for up to {@code maxStale} after it expired, and backs the
 *       entry off: no new load before an exponentially growing, jittered wait. Not-found
 *       drops the entry and propagates.
 *   <li>put, promote, moveStage and delete drop every entry of their path, whether or not
 *       they succeed (a failed write may still have reached the backend).
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class CachingSecretStore implements SecretStore {

    private static final Logger LOG = LoggerFactory.getLogger(CachingSecretStore.class);
    private static final int STAGE_COUNT = Stage.values().length;

    private final SecretStore inner;
    private final Clock clock;
    private final long ttlMillis;
    private final long maxStaleMillis;
    private final long backoffInitialMillis;
    private final long backoffMaxMillis;
    private final int maxEntries;
    private final double refreshAhead;
    private final CacheHitListener[] listeners;
    /** Runs refresh-ahead loads; one virtual thread per load. */
    private final ExecutorService refresher = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("rotor-cache-refresh-", 0).factory());

    private final ConcurrentHashMap<String, PathEntry> paths = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder staleServes = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    /** Entries created minus entries dropped; corrected by each eviction scan. Only drives eviction. */
    private final AtomicInteger approxEntries = new AtomicInteger();
    private final AtomicBoolean evicting = new AtomicBoolean();

    public CachingSecretStore(SecretStore inner, CacheOptions options, Clock clock, List<CacheHitListener> listeners) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttlMillis = Durations.millis(options.ttl());
        this.maxStaleMillis = Durations.millis(options.maxStale());
        this.backoffInitialMillis = Durations.millis(options.backoffInitial());
        this.backoffMaxMillis = Durations.millis(options.backoffMax());
        this.maxEntries = options.maxEntries() == null ? 0 : options.maxEntries();
        this.refreshAhead = options.refreshAhead();
        this.listeners = listeners.toArray(new CacheHitListener[0]);
    }

    /** A value as loaded, immutable. */
    private static final class Loaded {
        final Secret secret;
        final long loadedAt;
        final long expiresAt;
        /** From when a hit starts a background reload; {@code expiresAt} or later when refresh-ahead is off. */
        final long refreshAt;

        Loaded(Secret secret, long loadedAt, long expiresAt, double refreshAhead) {
            this.secret = secret;
            this.loadedAt = loadedAt;
            this.expiresAt = expiresAt;
            this.refreshAt = refreshAhead <= 0 ? Long.MAX_VALUE : expiresAt - (long) ((expiresAt - loadedAt) * refreshAhead);
        }
    }

    /** What a load hands to its caller and to everyone who waited for it. */
    private record LoadResult(@Nullable Secret secret, boolean stale, @Nullable RuntimeException failure) {
        static LoadResult fresh(Secret s) {
            return new LoadResult(s, false, null);
        }

        static LoadResult stale(Secret s) {
            return new LoadResult(s, true, null);
        }

        static LoadResult failed(RuntimeException e) {
            return new LoadResult(null, false, e);
        }
    }

    /** One (path, selector) entry. */
    private static final class Slot {
        final Selector selector;
        volatile @Nullable Loaded loaded;
        final AtomicReference<@Nullable CompletableFuture<LoadResult>> inFlight = new AtomicReference<>();
        // Written only by the thread that owns the in-flight load.
        volatile @Nullable BackoffState backoff;
        volatile @Nullable RuntimeException lastFailure;

        Slot(Selector selector) {
            this.selector = selector;
        }
    }

    /** All entries of one path: stage selectors in an array by ordinal, version selectors in a map. */
    private static final class PathEntry {
        final String path;
        final AtomicReferenceArray<@Nullable Slot> stages = new AtomicReferenceArray<>(STAGE_COUNT);
        final ConcurrentHashMap<String, Slot> versions = new ConcurrentHashMap<>();

        PathEntry(String path) {
            this.path = path;
        }

        @Nullable Slot find(Selector selector) {
            return switch (selector) {
                case Selector.ByStage s -> stages.get(s.stage().ordinal());
                case Selector.ByVersion v -> versions.get(v.versionId());
            };
        }

        /** The slot now in place: {@code fresh} if it was inserted, else the one that was there. */
        Slot insert(Slot fresh) {
            Slot there = switch (fresh.selector) {
                case Selector.ByStage s -> stages.compareAndExchange(s.stage().ordinal(), null, fresh);
                case Selector.ByVersion v -> versions.putIfAbsent(v.versionId(), fresh);
            };
            return there == null ? fresh : there;
        }

        boolean remove(Slot slot) {
            return switch (slot.selector) {
                case Selector.ByStage s -> stages.compareAndSet(s.stage().ordinal(), slot, null);
                case Selector.ByVersion v -> versions.remove(v.versionId(), slot);
            };
        }

        int size() {
            int n = versions.size();
            for (int i = 0; i < STAGE_COUNT; i++) {
                if (stages.get(i) != null) {
                    n++;
                }
            }
            return n;
        }

        void forEach(java.util.function.Consumer<Slot> action) {
            for (int i = 0; i < STAGE_COUNT; i++) {
                Slot s = stages.get(i);
                if (s != null) {
                    action.accept(s);
                }
            }
            versions.values().forEach(action);
        }
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public Secret get(String path, Selector selector) {
        Objects.requireNonNull(selector, "selector");
        // The hot path: no lock, no allocation.
        PathEntry pe = path == null ? null : paths.get(path);
        if (pe != null) {
            Slot slot = pe.find(selector);
            if (slot != null) {
                Loaded l = slot.loaded;
                long now;
                if (l != null && (now = clock.millis()) < l.expiresAt) {
                    if (now >= l.refreshAt) {
                        refreshAhead(pe, slot, l, path, selector, now);
                    }
                    return served(path, selector, l.secret, false, now);
                }
            }
        }
        return getSlow(path, selector);
    }

    /**
     * Starts one background reload of an entry that is fresh but near its end, unless a load is
     * running, one already replaced the value the caller saw, or the entry is backing off.
     */
    private void refreshAhead(PathEntry pe, Slot slot, Loaded seen, String path, Selector selector, long now) {
        if (slot.inFlight.get() != null) {
            return;
        }
        BackoffState b = slot.backoff;
        if (b != null && now < b.nextAttempt().toEpochMilli()) {
            return;
        }
        CompletableFuture<LoadResult> mine = new CompletableFuture<>();
        if (!slot.inFlight.compareAndSet(null, mine)) {
            return;
        }
        // A load that finished between the read of the value and the claim published a newer one.
        if (slot.loaded != seen || paths.get(path) != pe) {
            slot.inFlight.compareAndSet(mine, null);
            mine.complete(LoadResult.fresh(seen.secret));
            return;
        }
        AuditContext.Caller caller = AuditContext.current();
        Runnable reload = () -> load(pe, slot, path, selector, mine);
        try {
            refresher.execute(caller == null ? reload
                    : () -> AuditContext.runAs(caller.actor(), caller.requestId(), reload));
        } catch (RejectedExecutionException e) {
            // Closed: let go of the entry; the next reader past expiry loads it.
            slot.inFlight.compareAndSet(mine, null);
            mine.complete(LoadResult.fresh(seen.secret));
        }
    }

    /**
     * Answers fresh entries from the cache and reads all the others in one bulk read below, so a
     * backend with a bulk API keeps using it. The secrets read are cached like loads by
     * {@link #get}; one absent from the answer drops its entry. A bulk read is not shared with
     * concurrent {@link #get} loads of the same entries, and a failed one throws at once: no stale
     * value, no backoff (those are for the steady state that {@link #get} serves).
     */
    @Override
    public Map<String, Secret> getAll(Collection<String> wanted, Selector selector) {
        Objects.requireNonNull(selector, "selector");
        Map<String, Secret> hit = new HashMap<>();
        Map<String, Slot> toLoad = new LinkedHashMap<>();
        Map<String, PathEntry> toLoadEntries = new HashMap<>();
        long now = clock.millis();
        for (String path : wanted) {
            if (hit.containsKey(path) || toLoad.containsKey(path)) {
                continue;
            }
            SecretRef.checkPath(path);
            // Entries are taken before the read: a write meanwhile removes them, so the value read lands nowhere.
            PathEntry pe = paths.computeIfAbsent(path, PathEntry::new);
            Slot slot = slotFor(pe, selector);
            Loaded l = slot.loaded;
            if (l != null && now < l.expiresAt) {
                hit.put(path, served(path, selector, l.secret, false, now));
            } else {
                toLoad.put(path, slot);
                toLoadEntries.put(path, pe);
            }
        }
        if (!toLoad.isEmpty()) {
            for (int i = 0; i < toLoad.size(); i++) {
                misses.increment();
                for (CacheHitListener listener : listeners) {
                    listener.onMiss();
                }
            }
            Map<String, Secret> fetched;
            try {
                fetched = inner.getAll(toLoad.keySet(), selector);
            } catch (RuntimeException e) {
                for (int i = 0; i < toLoad.size(); i++) {
                    failed();
                }
                throw e;
            }
            long loadedAt = clock.millis();
            toLoad.forEach((path, slot) -> {
                Secret f = fetched.get(path);
                if (f == null) {
                    drop(toLoadEntries.get(path), slot);
                    return;
                }
                Secret cached = new Secret(f.path(), f.version(), f.value().shared());
                slot.loaded = new Loaded(cached, loadedAt, Durations.plus(loadedAt, jitteredTtl()), refreshAhead);
                slot.backoff = null;
                slot.lastFailure = null;
                hit.put(path, cached);
            });
        }
        Map<String, Secret> out = new LinkedHashMap<>();
        for (String path : wanted) {
            Secret s = hit.get(path);
            if (s != null) {
                out.put(path, s);
            }
        }
        return out;
    }

    private Secret served(String path, Selector selector, Secret secret, boolean stale, long nowMillis) {
        CacheHitListener[] ls = listeners;
        for (int i = 0; i < ls.length; i++) {
            ls[i].onHit(path, selector, secret, stale, nowMillis);
        }
        (stale ? staleServes : hits).increment();
        return secret;
    }

    private Secret getSlow(String path, Selector selector) {
        SecretRef.checkPath(path);
        while (true) {
            PathEntry pe = paths.computeIfAbsent(path, PathEntry::new);
            Slot slot = slotFor(pe, selector);
            LoadResult ready = withoutLoad(slot, path, selector);
            if (ready != null) {
                return deliver(ready, path, selector, false);
            }
            CompletableFuture<LoadResult> running = slot.inFlight.get();
            if (running != null) {
                return deliver(running.join(), path, selector, false);
            }
            CompletableFuture<LoadResult> mine = new CompletableFuture<>();
            if (!slot.inFlight.compareAndSet(null, mine)) {
                continue; // another caller claimed the load first: go round and join it
            }
            // A previous owner publishes its value or backoff before it lets go of the entry,
            // so deciding again now cannot miss what it did.
            ready = withoutLoad(slot, path, selector);
            if (ready != null) {
                slot.inFlight.compareAndSet(mine, null);
                mine.complete(ready);
                return deliver(ready, path, selector, false);
            }
            return deliver(load(pe, slot, path, selector, mine), path, selector, true);
        }
    }

    /** The answer the entry gives without a backend call (fresh, stale during backoff, or backing off), else null. */
    private @Nullable LoadResult withoutLoad(Slot slot, String path, Selector selector) {
        long now = clock.millis();
        Loaded l = slot.loaded;
        if (l != null && now < l.expiresAt) {
            return LoadResult.fresh(l.secret);
        }
        BackoffState backoff = slot.backoff;
        if (backoff != null && now < backoff.nextAttempt().toEpochMilli()) {
            if (l != null && now < Durations.plus(l.expiresAt, maxStaleMillis)) {
                return LoadResult.stale(l.secret);
            }
            return LoadResult.failed(backingOff(path, selector, backoff, slot.lastFailure, now));
        }
        return null;
    }

    private Slot slotFor(PathEntry pe, Selector selector) {
        Slot slot = pe.find(selector);
        if (slot != null) {
            return slot;
        }
        Slot fresh = new Slot(selector);
        slot = pe.insert(fresh);
        if (slot == fresh) {
            int entries = approxEntries.incrementAndGet();
            if (maxEntries > 0 && entries > maxEntries) {
                evictOldest();
            }
        }
        return slot;
    }

    private LoadResult load(PathEntry pe, Slot slot, String path, Selector selector, CompletableFuture<LoadResult> mine) {
        misses.increment();
        for (CacheHitListener listener : listeners) {
            listener.onMiss();
        }
        LoadResult result = null;
        try {
            Secret fetched = inner.get(path, selector);
            long now = clock.millis();
            Secret cached = new Secret(fetched.path(), fetched.version(), fetched.value().shared());
            slot.loaded = new Loaded(cached, now, Durations.plus(now, jitteredTtl()), refreshAhead);
            slot.backoff = null;
            slot.lastFailure = null;
            result = LoadResult.fresh(cached);
        } catch (SecretNotFoundException e) {
            drop(pe, slot);
            result = LoadResult.failed(e);
        } catch (AuditUnavailableException e) {
            // Fail closed: a load that could not be audited must not fall back to serving anything.
            failed();
            result = LoadResult.failed(e);
        } catch (RotorException e) {
            failed();
            long now = clock.millis();
            BackoffState b = nextBackoff(slot.backoff, now);
            slot.lastFailure = e;
            slot.backoff = b;
            Loaded l = slot.loaded;
            if (l != null && now < Durations.plus(l.expiresAt, maxStaleMillis)) {
                LOG.warn("store '{}': refreshing secret '{}' ({}) failed with {}; serving the last good version {}, next attempt after {}",
                        inner.name(), path, selector, e.getClass().getSimpleName(), l.secret.version().id(), b.nextAttempt());
                result = LoadResult.stale(l.secret);
            } else {
                LOG.debug("store '{}': loading secret '{}' ({}) failed with {}; next attempt after {}",
                        inner.name(), path, selector, e.getClass().getSimpleName(), b.nextAttempt());
                result = LoadResult.failed(e);
            }
        } catch (RuntimeException e) {
            // Not a backend failure but a fault below: pass it on, no stale value, no backoff.
            failed();
            result = LoadResult.failed(e);
        } finally {
            slot.inFlight.compareAndSet(mine, null);
            mine.complete(result != null ? result
                    : LoadResult.failed(new RotorException("loading secret '" + path + "' (" + selector + ") from store '"
                            + inner.name() + "' failed with an error in another thread", null)));
        }
        return result;
    }

    private void failed() {
        loadFailures.increment();
        for (CacheHitListener listener : listeners) {
            listener.onLoadFailure();
        }
    }

    private Secret deliver(LoadResult r, String path, Selector selector, boolean loader) {
        if (r.failure() != null) {
            throw r.failure();
        }
        Secret s = Objects.requireNonNull(r.secret());
        // The loader's own read went through the layers below and was audited there.
        return loader && !r.stale() ? s : served(path, selector, s, r.stale(), clock.millis());
    }

    private long jitteredTtl() {
        long half = ttlMillis / 2;
        return half + ThreadLocalRandom.current().nextLong(ttlMillis - half + 1);
    }

    private BackoffState nextBackoff(@Nullable BackoffState previous, long now) {
        long step;
        if (previous == null) {
            step = backoffInitialMillis;
        } else {
            long last = previous.step().toMillis();
            step = last > backoffMaxMillis / 2 ? backoffMaxMillis : Math.min(backoffMaxMillis, last * 2);
        }
        long half = step / 2;
        long wait = half + ThreadLocalRandom.current().nextLong(step - half + 1);
        return new BackoffState(previous == null ? 1 : previous.failures() + 1, Duration.ofMillis(step),
                Instant.ofEpochMilli(Durations.plus(now, wait)));
    }

    private ProviderUnavailableException backingOff(String path, Selector selector, BackoffState backoff,
            @Nullable RuntimeException last, long now) {
        Duration wait = Duration.ofMillis(backoff.nextAttempt().toEpochMilli() - now);
        return new ProviderUnavailableException("secret '" + path + "' (" + selector + ") of store '" + inner.name()
                + "' is unavailable: " + backoff.failures() + " load(s) failed in a row"
                + (last == null ? "" : ", the last with " + last.getClass().getSimpleName())
                + "; next attempt in " + wait, true, wait, last);
    }

    private void drop(PathEntry pe, Slot slot) {
        if (pe.remove(slot)) {
            approxEntries.decrementAndGet();
            if (pe.size() == 0) {
                // A slot inserted concurrently into a removed entry only costs one extra load later.
                paths.remove(pe.path, pe);
            }
        }
    }

    /** Drops the entries with the oldest loads until the bound holds. Only one thread scans at a time. */
    private void evictOldest() {
        if (!evicting.compareAndSet(false, true)) {
            return;
        }
        try {
            while (true) {
                int count = 0;
                PathEntry victimPath = null;
                Slot victim = null;
                long oldest = Long.MAX_VALUE;
                for (PathEntry pe : paths.values()) {
                    for (int i = 0; i < STAGE_COUNT; i++) {
                        Slot s = pe.stages.get(i);
                        if (s != null) {
                            count++;
                            Loaded l = s.loaded;
                            if (l != null && l.loadedAt < oldest && s.inFlight.get() == null) {
                                oldest = l.loadedAt;
                                victim = s;
                                victimPath = pe;
                            }
                        }
                    }
                    for (Slot s : pe.versions.values()) {
                        count++;
                        Loaded l = s.loaded;
                        if (l != null && l.loadedAt < oldest && s.inFlight.get() == null) {
                            oldest = l.loadedAt;
                            victim = s;
                            victimPath = pe;
                        }
                    }
                }
                approxEntries.set(count);
                if (count <= maxEntries || victim == null) {
                    return;
                }
                drop(victimPath, victim);
            }
        } finally {
            evicting.set(false);
        }
    }

    // ---- writes: pass through, then drop the path ---------------------------------------

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        try {
            return inner.put(path, value, options);
        } finally {
            invalidate(path);
        }
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        try {
            return inner.promote(path, versionId, expectedCurrentVersionId);
        } finally {
            invalidate(path);
        }
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        try {
            inner.moveStage(path, stage, versionId, expectedVersionId);
        } finally {
            invalidate(path);
        }
    }

    @Override
    public void delete(String path) {
        try {
            inner.delete(path);
        } finally {
            invalidate(path);
        }
    }

    @Override
    public List<VersionInfo> versions(String path) {
        return inner.versions(path);
    }

    @Override
    public List<String> list(String prefix) {
        return inner.list(prefix);
    }

    @Override
    public Health health() {
        return inner.health();
    }

    /**
     * Drops every entry of {@code path}. A load already running for it completes for the callers
     * waiting on it, but its value is not kept.
     */
    public void invalidate(@Nullable String path) {
        if (path == null) {
            return;
        }
        PathEntry pe = paths.remove(path);
        if (pe != null) {
            approxEntries.addAndGet(-pe.size());
        }
    }

    public void invalidateAll() {
        for (String path : paths.keySet()) {
            invalidate(path);
        }
    }

    /** Entries that hold a value now. Counts by walking the cache: for gauges and tests, not hot paths. */
    public int size() {
        int[] n = {0};
        for (PathEntry pe : paths.values()) {
            pe.forEach(s -> {
                if (s.loaded != null) {
                    n[0]++;
                }
            });
        }
        return n[0];
    }

    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), staleServes.sum(), loadFailures.sum(), size());
    }

    /** When the entry's value stops being fresh, if it holds one. */
    public Optional<Instant> expiry(String path, Selector selector) {
        return slot(path, selector).map(s -> s.loaded).map(l -> Instant.ofEpochMilli(l.expiresAt));
    }

    /** When the entry's value was loaded, if it holds one. */
    public Optional<Instant> loadedAt(String path, Selector selector) {
        return slot(path, selector).map(s -> s.loaded).map(l -> Instant.ofEpochMilli(l.loadedAt));
    }

    /** The entry's backoff after failed loads; empty when its last load succeeded or it has none. */
    public Optional<BackoffState> backoff(String path, Selector selector) {
        return slot(path, selector).map(s -> s.backoff);
    }

    private Optional<Slot> slot(String path, Selector selector) {
        PathEntry pe = paths.get(path);
        return Optional.ofNullable(pe == null ? null : pe.find(selector));
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        invalidateAll();
        inner.close();
    }

    @Override
    public String toString() {
        return "cache -> " + inner;
    }
}
