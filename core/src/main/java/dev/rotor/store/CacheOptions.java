package dev.rotor.store;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How the cache layer keeps values. Field paths in problems start with {@code cache.}.
 *
 * @param ttl how long a loaded value is fresh; each entry's lifetime is drawn uniformly from
 *     {@code [ttl/2, ttl]} so that entries loaded together do not expire together
 * @param maxStale how long after it expired a last-good value may still be served while the
 *     backend fails; {@link Duration#ZERO} never serves a stale value
 * @param backoffInitial the wait before the next backend attempt after a failed refresh
 * @param backoffMax the longest such wait; the wait doubles per consecutive failure up to it
 * @param maxEntries the most (path, selector) entries kept, the oldest loaded evicted first;
 *     {@code null} for no bound
 * @param refreshAhead the last fraction of an entry's lifetime, from 0 to 0.5, in which a
 *     {@link dev.rotor.SecretStore#get get} that hits it also starts one background reload:
 *     readers keep getting the still fresh value and never wait for the backend while the
 *     entry is read often enough. 0 turns it off, so readers of an expired entry wait for its
 *     load; default 0.2
 */
public record CacheOptions(Duration ttl, Duration maxStale, Duration backoffInitial, Duration backoffMax,
        @Nullable Integer maxEntries, double refreshAhead) {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_STALE = Duration.ofHours(1);
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(1);
    public static final double DEFAULT_REFRESH_AHEAD = 0.2;

    public CacheOptions {
        List<ConfigProblem> problems = new ArrayList<>();
        Checks.atLeast(problems, "cache.ttl", ttl, Duration.ofMillis(2));
        Checks.atLeast(problems, "cache.maxStale", maxStale, Duration.ZERO);
        boolean initialOk = Checks.atLeast(problems, "cache.backoffInitial", backoffInitial, Duration.ofMillis(1));
        boolean maxOk = Checks.atLeast(problems, "cache.backoffMax", backoffMax, Duration.ofMillis(1));
        if (initialOk && maxOk && backoffMax.compareTo(backoffInitial) < 0) {
            problems.add(new ConfigProblem("cache.backoffMax",
                    "must be at least cache.backoffInitial (" + backoffInitial + "), was " + backoffMax));
        }
        if (maxEntries != null && maxEntries < 1) {
            problems.add(new ConfigProblem("cache.maxEntries", "must be at least 1 when set (was " + maxEntries + ")"));
        }
        if (!(refreshAhead >= 0 && refreshAhead <= 0.5)) {
            problems.add(new ConfigProblem("cache.refreshAhead", "must be from 0 (off) to 0.5, was " + refreshAhead));
        }
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** Options with the default refresh-ahead fraction. */
    public CacheOptions(Duration ttl, Duration maxStale, Duration backoffInitial, Duration backoffMax, @Nullable Integer maxEntries) {
        this(ttl, maxStale, backoffInitial, backoffMax, maxEntries, DEFAULT_REFRESH_AHEAD);
    }

    /** ttl 5 minutes, maxStale 1 hour, backoff 1 second doubling up to 1 minute, no entry bound, refresh ahead in the last 20%. */
    public static CacheOptions defaults() {
        return new CacheOptions(DEFAULT_TTL, DEFAULT_MAX_STALE, DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, null);
    }

    public CacheOptions withTtl(Duration newTtl) {
        return new CacheOptions(newTtl, maxStale, backoffInitial, backoffMax, maxEntries, refreshAhead);
    }

    public CacheOptions withMaxStale(Duration newMaxStale) {
        return new CacheOptions(ttl, newMaxStale, backoffInitial, backoffMax, maxEntries, refreshAhead);
    }

    public CacheOptions withBackoff(Duration initial, Duration max) {
        return new CacheOptions(ttl, maxStale, initial, max, maxEntries, refreshAhead);
    }

    public CacheOptions withMaxEntries(@Nullable Integer newMaxEntries) {
        return new CacheOptions(ttl, maxStale, backoffInitial, backoffMax, newMaxEntries, refreshAhead);
    }

    /** @param fraction see {@link #refreshAhead()}; 0 turns refresh-ahead off */
    public CacheOptions withRefreshAhead(double fraction) {
        return new CacheOptions(ttl, maxStale, backoffInitial, backoffMax, maxEntries, fraction);
    }
}
