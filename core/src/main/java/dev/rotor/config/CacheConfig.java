package dev.rotor.config;

import dev.rotor.store.CacheOptions;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code cache:} section of {@code rotor.yaml}: values read through {@link dev.rotor.Rotor}
 * are kept in memory. See {@link CacheOptions} for what each setting does.
 *
 * @param ttl how long a loaded value is fresh
 * @param maxStale how long past its expiry a last-good value may be served while the backend fails
 * @param maxEntries the most entries kept; {@code null} for no bound
 * @param refreshAhead the last fraction of an entry's lifetime (0 to 0.5) in which a read starts
 *     one background reload; 0 turns refresh-ahead off
 */
public record CacheConfig(Duration ttl, Duration maxStale, @Nullable Integer maxEntries, double refreshAhead) {

    public CacheConfig {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(maxStale, "maxStale");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("cache ttl must be positive");
        }
        if (maxStale.isNegative()) {
            throw new IllegalArgumentException("cache maxStale must not be negative");
        }
        if (maxEntries != null && maxEntries < 1) {
            throw new IllegalArgumentException("cache maxEntries must be at least 1");
        }
        if (!(refreshAhead >= 0 && refreshAhead <= 0.5)) {
            throw new IllegalArgumentException("cache refreshAhead must be from 0 to 0.5");
        }
    }

    /** A cache with these limits and the default refresh-ahead fraction. */
    public CacheConfig(Duration ttl, Duration maxStale, @Nullable Integer maxEntries) {
        this(ttl, maxStale, maxEntries, CacheOptions.DEFAULT_REFRESH_AHEAD);
    }

    /** A cache with this ttl and the defaults of {@link CacheOptions} otherwise. */
    public CacheConfig(Duration ttl) {
        this(ttl, CacheOptions.DEFAULT_MAX_STALE, null);
    }

    /** The options of the cache layer. */
    public CacheOptions toOptions() {
        return CacheOptions.defaults().withTtl(ttl).withMaxStale(maxStale).withMaxEntries(maxEntries)
                .withRefreshAhead(refreshAhead);
    }
}
