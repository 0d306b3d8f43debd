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
 */
public record CacheConfig(Duration ttl, Duration maxStale, @Nullable Integer maxEntries) {

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
    }

    /** A cache with this ttl and the defaults of {@link CacheOptions} otherwise. */
    public CacheConfig(Duration ttl) {
        this(ttl, CacheOptions.DEFAULT_MAX_STALE, null);
    }

    /** The options of the cache layer. */
    public CacheOptions toOptions() {
        return CacheOptions.defaults().withTtl(ttl).withMaxStale(maxStale).withMaxEntries(maxEntries);
    }
}
