package dev.rotor.spi;

import dev.rotor.SecretStore;
import dev.rotor.VersionInfo;
import java.util.List;

/**
 * What a {@link dev.rotor.watch.SecretWatcher} uses of a store beyond {@link SecretStore}, when
 * the store offers it: a version poll that is not audited one call at a time, and a way to drop
 * cached values of a path that the watcher saw change. A store that does not implement it is
 * polled with {@link SecretStore#versions} and has nothing to invalidate.
 *
 * <p>Implementations are thread-safe.
 */
public interface WatchableStore extends SecretStore {

    /**
     * The versions of {@code path}, oldest first, as {@link #versions} gives them, for a watcher's
     * periodic poll. Version metadata only; the store may leave such polls out of its audit log.
     */
    default List<VersionInfo> pollVersions(String path) {
        return versions(path);
    }

    /** Drops whatever the store keeps cached for {@code path}; no-op without a cache. */
    void invalidate(String path);
}
