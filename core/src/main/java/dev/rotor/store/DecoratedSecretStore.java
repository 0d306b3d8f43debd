package dev.rotor.store;

import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.internal.store.AuditingSecretStore;
import dev.rotor.internal.store.CachingSecretStore;
import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.spi.WatchableStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A backend wrapped in the layers a {@link SecretStoreBuilder} was given, outermost first:
 * cache, audit, metrics, retry. Besides the {@link SecretStore} operations it offers the
 * handles the layers have: cache statistics and invalidation, and flushing audit summaries.
 *
 * <p>As a {@link WatchableStore}, a watcher's version polls go to the layers below the audit
 * layer (metrics, retry, backend): they read version metadata only, and one audit record per
 * poll would bury the reads that matter. What a listener then reads is audited as usual.
 *
 * <p>Thread-safe. {@link #close()} writes pending audit summaries and closes the backend; it
 * does not close the audit sink.
 */
public final class DecoratedSecretStore extends ForwardingSecretStore implements WatchableStore {

    private final @Nullable CachingSecretStore cache;
    private final @Nullable AuditingSecretStore audit;
    private final SecretStore belowAudit;
    private final List<String> layers;
    private final AtomicBoolean closed = new AtomicBoolean();

    DecoratedSecretStore(SecretStore top, @Nullable CachingSecretStore cache, @Nullable AuditingSecretStore audit,
            SecretStore belowAudit, List<String> layers) {
        super(top);
        this.cache = cache;
        this.audit = audit;
        this.belowAudit = belowAudit;
        this.layers = List.copyOf(layers);
    }

    /** The layers present, outermost first, e.g. {@code [cache, audit, metrics, retry]}. */
    public List<String> layers() {
        return layers;
    }

    /** The cache's counters, if there is a cache. */
    public Optional<CacheStats> cacheStats() {
        return cache == null ? Optional.empty() : Optional.of(cache.stats());
    }

    /** Drops the cached entries of {@code path} (no-op without a cache), e.g. after a rotation elsewhere. */
    @Override
    public void invalidate(String path) {
        if (cache != null) {
            cache.invalidate(path);
        }
    }

    /** The versions of {@code path} read below the audit layer: for watchers' polls, not audited per call. */
    @Override
    public List<VersionInfo> pollVersions(String path) {
        return belowAudit.versions(path);
    }

    /** Drops every cached entry (no-op without a cache). */
    public void invalidateAll() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /**
     * Writes the pending cached-read audit summaries now (no-op without audit).
     *
     * @throws dev.rotor.AuditUnavailableException if the sink fails; the counts are kept
     */
    public void flushAuditSummaries() {
        if (audit != null) {
            audit.flushSummaries();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return "DecoratedSecretStore[" + delegate + "]";
    }
}
