package dev.rotor.internal.store;

import dev.rotor.AuditUnavailableException;
import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.audit.AuditSink;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.HitAudit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit layer: one {@link AuditEvent} per backend operation, appended to the sink before
 * the result goes back to the caller. If the sink fails, the caller gets an
 * {@link AuditUnavailableException} instead of the result (fail closed), and a value read
 * for it is destroyed.
 *
 * <p>Cache hits arrive through {@link #onHit}. With {@link HitAudit#SUMMARY} they are counted
 * per (actor, path) without allocating and written as one
 * {@link AuditAction#CACHED_GET CACHED_GET} event per pair every summary interval, on close,
 * and on {@link #flushSummaries()}. With {@link HitAudit#EACH} each hit appends its own event
 * and fails closed like a backend read.
 *
 * <p>Thread-safe. Hits never lock; flushes are serialised among themselves.
 */
public final class AuditingSecretStore implements SecretStore, CacheHitListener {

    private static final Logger LOG = LoggerFactory.getLogger(AuditingSecretStore.class);

    private final SecretStore inner;
    private final AuditSink sink;
    private final Clock clock;
    private final String store;
    private final String defaultActor;
    private final HitAudit hitAudit;
    /** actor -> path -> hits since the last flush; keys are the caller's own strings. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, HitCounter>> summaries = new ConcurrentHashMap<>();
    private final Object flushLock = new Object();
    private final @Nullable ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param scheduleSummaries whether to write summaries periodically on a daemon thread; only
     *     worth it when a cache above this layer reports hits in {@link HitAudit#SUMMARY} mode
     */
    public AuditingSecretStore(SecretStore inner, AuditSink sink, AuditOptions options, Clock clock, boolean scheduleSummaries) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.store = inner.name();
        this.defaultActor = options.defaultActor();
        this.hitAudit = options.hitAudit();
        if (scheduleSummaries && hitAudit == HitAudit.SUMMARY) {
            String threadName = "rotor-audit-summaries-" + store;
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, Durations.millis(options.summaryInterval()));
            scheduler.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            scheduler = null;
        }
    }

    /** Hits of one actor on one path since the last flush. */
    static final class HitCounter {
        private static final VarHandle FIRST;

        static {
            try {
                FIRST = MethodHandles.lookup().findVarHandle(HitCounter.class, "first", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final LongAdder count = new LongAdder();
        /** Epoch millis of the first hit since the last flush, 0 if none. */
        volatile long first;
        /** Epoch millis of the latest hit. */
        volatile long last;

        void hit(long now) {
            // Times before the count: a flush that sees the hit counted also sees a time for it.
            if (first == 0) {
                FIRST.compareAndSet(this, 0L, now);
            }
            if (now > last) {
                last = now;
            }
            count.increment();
        }

        long takeFirst() {
            return (long) FIRST.getAndSet(this, 0L);
        }

        /** Puts back a first time taken by a flush that then failed. */
        void restoreFirst(long time) {
            while (true) {
                long cur = first;
                if ((cur != 0 && cur <= time) || FIRST.compareAndSet(this, cur, time)) {
                    return;
                }
            }
        }
    }

    @Override
    public String name() {
        return store;
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public Secret get(String path, Selector selector) {
        String selectorText = String.valueOf(selector);
        String askedVersion = switch (selector) {
            case Selector.ByVersion v -> v.versionId();
            case Selector.ByStage s -> null;
            case null -> null;
        };
        Secret secret;
        try {
            secret = inner.get(path, selector);
        } catch (RuntimeException e) {
            failed(AuditAction.GET, path, askedVersion, selectorText, e);
            throw e;
        }
        try {
            record(AuditAction.GET, path, secret.version().id(), selectorText, AuditOutcome.SUCCESS, null, null);
        } catch (AuditUnavailableException e) {
            // The caller never gets this value, so nobody else will wipe it.
            secret.value().destroy();
            throw e;
        }
        return secret;
    }

    /**
     * One {@link AuditAction#GET GET} event per path asked for, written in one
     * {@link AuditSink#appendAll} call: SUCCESS with the version for each secret found,
     * NOT_FOUND for each one absent, or the failure's outcome for every path if the bulk read
     * failed. If the sink fails, every value read is destroyed and the caller gets
     * {@link AuditUnavailableException}.
     */
    @Override
    public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        String selectorText = String.valueOf(selector);
        Map<String, Secret> found;
        try {
            found = inner.getAll(paths, selector);
        } catch (RuntimeException e) {
            List<AuditEvent> events = new ArrayList<>();
            for (String path : paths) {
                events.add(event(AuditAction.GET, path, null, selectorText, AuditOutcome.of(e), e.getClass().getSimpleName()));
            }
            appendAll(events, paths.size(), e);
            throw e;
        }
        List<AuditEvent> events = new ArrayList<>();
        for (String path : paths) {
            Secret s = found.get(path);
            events.add(s != null
                    ? event(AuditAction.GET, path, s.version().id(), selectorText, AuditOutcome.SUCCESS, null)
                    : event(AuditAction.GET, path, null, selectorText, AuditOutcome.NOT_FOUND, "SecretNotFoundException"));
        }
        try {
            appendAll(events, paths.size(), null);
        } catch (AuditUnavailableException e) {
            found.values().forEach(s -> s.value().destroy());
            throw e;
        }
        return found;
    }

    private AuditEvent event(AuditAction action, String path, @Nullable String versionId, @Nullable String selector,
            AuditOutcome outcome, @Nullable String detail) {
        AuditContext.Caller caller = AuditContext.current();
        String actor = caller != null ? caller.actor() : defaultActor;
        String requestId = caller != null ? caller.requestId() : AuditContext.newRequestId();
        return AuditEvent.single(clock.instant(), actor, action, store, path, versionId, selector, outcome, requestId, detail);
    }

    private void appendAll(List<AuditEvent> events, int count, @Nullable RuntimeException opFailure) {
        if (events.isEmpty()) {
            return;
        }
        try {
            sink.appendAll(events);
        } catch (RuntimeException e) {
            AuditUnavailableException refused = new AuditUnavailableException("audit sink " + sink.describe()
                    + " could not record the bulk read of " + count + " secrets in store '" + store + "'; access refused", e);
            if (opFailure != null) {
                refused.addSuppressed(opFailure);
            }
            throw refused;
        }
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        String stage = options == null ? null : options.stage().name();
        VersionInfo info;
        try {
            info = inner.put(path, value, options);
        } catch (RuntimeException e) {
            failed(AuditAction.PUT, path, null, null, e);
            throw e;
        }
        record(AuditAction.PUT, path, info.id(), null, AuditOutcome.SUCCESS, stage, null);
        return info;
    }

    @Override
    public List<VersionInfo> versions(String path) {
        List<VersionInfo> versions;
        try {
            versions = inner.versions(path);
        } catch (RuntimeException e) {
            failed(AuditAction.VERSIONS, path, null, null, e);
            throw e;
        }
        record(AuditAction.VERSIONS, path, null, null, AuditOutcome.SUCCESS, null, null);
        return versions;
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        VersionInfo info;
        try {
            info = inner.promote(path, versionId, expectedCurrentVersionId);
        } catch (RuntimeException e) {
            failed(AuditAction.PROMOTE, path, versionId, null, e);
            throw e;
        }
        record(AuditAction.PROMOTE, path, versionId, null, AuditOutcome.SUCCESS, Stage.CURRENT.name(), null);
        return info;
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        try {
            inner.moveStage(path, stage, versionId, expectedVersionId);
        } catch (RuntimeException e) {
            failed(AuditAction.MOVE_STAGE, path, versionId, null, e);
            throw e;
        }
        record(AuditAction.MOVE_STAGE, path, versionId, null, AuditOutcome.SUCCESS, String.valueOf(stage), null);
    }

    @Override
    public List<String> list(String prefix) {
        List<String> paths;
        try {
            paths = inner.list(prefix);
        } catch (RuntimeException e) {
            failed(AuditAction.LIST, prefix, null, null, e);
            throw e;
        }
        record(AuditAction.LIST, prefix, null, null, AuditOutcome.SUCCESS, null, null);
        return paths;
    }

    @Override
    public void delete(String path) {
        try {
            inner.delete(path);
        } catch (RuntimeException e) {
            failed(AuditAction.DELETE, path, null, null, e);
            throw e;
        }
        record(AuditAction.DELETE, path, null, null, AuditOutcome.SUCCESS, null, null);
    }

    @Override
    public Health health() {
        // A health check touches no secret: nothing to audit.
        return inner.health();
    }

    private void failed(AuditAction action, @Nullable String path, @Nullable String versionId, @Nullable String selector,
            RuntimeException failure) {
        record(action, path, versionId, selector, AuditOutcome.of(failure), failure.getClass().getSimpleName(), failure);
    }

    /** Appends one event for the current caller; a sink failure becomes {@link AuditUnavailableException}. */
    private void record(AuditAction action, @Nullable String path, @Nullable String versionId, @Nullable String selector,
            AuditOutcome outcome, @Nullable String detail, @Nullable RuntimeException opFailure) {
        AuditContext.Caller caller = AuditContext.current();
        String actor = caller != null ? caller.actor() : defaultActor;
        String requestId = caller != null ? caller.requestId() : AuditContext.newRequestId();
        String where = String.valueOf(path);
        AuditEvent event = AuditEvent.single(clock.instant(), actor, action, store, where, versionId, selector, outcome,
                requestId, detail);
        try {
            sink.append(event);
        } catch (RuntimeException e) {
            AuditUnavailableException refused = new AuditUnavailableException("audit sink " + sink.describe()
                    + " could not record " + action + " of secret '" + where + "' in store '" + store + "'; access refused", e);
            if (opFailure != null) {
                refused.addSuppressed(opFailure);
            }
            throw refused;
        }
    }

    // ---- cache hits ------------------------------------------------------------------------

    @Override
    public void onHit(String path, Selector selector, Secret secret, boolean stale, long nowMillis) {
        if (hitAudit == HitAudit.EACH) {
            record(AuditAction.CACHED_GET, path, secret.version().id(), selector.toString(), AuditOutcome.SUCCESS,
                    stale ? "stale" : null, null);
            return;
        }
        AuditContext.Caller caller = AuditContext.current();
        String actor = caller != null ? caller.actor() : defaultActor;
        // get() first: computeIfAbsent is only for the first hit of a pair (its lambda allocates).
        ConcurrentHashMap<String, HitCounter> byPath = summaries.get(actor);
        if (byPath == null) {
            byPath = summaries.computeIfAbsent(actor, a -> new ConcurrentHashMap<>());
        }
        HitCounter counter = byPath.get(path);
        if (counter == null) {
            counter = byPath.computeIfAbsent(path, p -> new HitCounter());
        }
        counter.hit(nowMillis);
    }

    /**
     * Writes one {@link AuditAction#CACHED_GET} event per (actor, path) with hits since the last
     * flush, in one {@link AuditSink#appendAll} call. If the sink fails, the counts are kept for
     * the next flush and this method throws.
     *
     * @throws AuditUnavailableException if the sink could not record the summaries
     */
    public void flushSummaries() {
        // The lock only orders flushes (scheduled, explicit, on close); hits never take it.
        synchronized (flushLock) {
            List<AuditEvent> events = new ArrayList<>();
            List<HitCounter> counters = new ArrayList<>();
            List<long[]> taken = new ArrayList<>();
            summaries.forEach((actor, byPath) -> byPath.forEach((path, counter) -> {
                long n = counter.count.sum();
                if (n == 0) {
                    return;
                }
                // Subtract exactly what was read: hits landing meanwhile stay for the next flush.
                counter.count.add(-n);
                long first = counter.takeFirst();
                long last = counter.last;
                long firstShown = first == 0 || first > last ? last : first;
                events.add(new AuditEvent(Instant.ofEpochMilli(last), actor, AuditAction.CACHED_GET, store, path, null, null,
                        AuditOutcome.SUCCESS, AuditContext.newRequestId(), null, n, Instant.ofEpochMilli(firstShown)));
                counters.add(counter);
                taken.add(new long[] {n, first});
            }));
            if (events.isEmpty()) {
                return;
            }
            try {
                sink.appendAll(events);
            } catch (RuntimeException e) {
                for (int i = 0; i < counters.size(); i++) {
                    counters.get(i).count.add(taken.get(i)[0]);
                    if (taken.get(i)[1] != 0) {
                        counters.get(i).restoreFirst(taken.get(i)[1]);
                    }
                }
                throw new AuditUnavailableException("audit sink " + sink.describe() + " could not record " + events.size()
                        + " cached-read summaries of store '" + store + "'; they are kept for the next flush", e);
            }
        }
    }

    private void flushQuietly() {
        try {
            flushSummaries();
        } catch (RuntimeException e) {
            // Thrown out of a scheduled task, it would cancel all later flushes.
            LOG.error("store '{}': writing cached-read audit summaries failed ({}); will try again", store,
                    e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Stops the periodic flush, writes the remaining summaries and closes the layers below. The
     * sink stays open: it belongs to the caller.
     *
     * @throws AuditUnavailableException if the last summaries could not be written (after the
     *     layers below were closed)
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduler != null) {
            // Not shutdownNow(): interrupting a running append could break the sink's file channel.
            scheduler.shutdown();
        }
        try {
            flushSummaries();
        } finally {
            inner.close();
        }
    }

    @Override
    public String toString() {
        return "audit(" + sink.describe() + ") -> " + inner;
    }
}
