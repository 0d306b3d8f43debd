package dev.rotor.store;

/**
 * A snapshot of the cache layer's counters.
 *
 * @param hits reads answered by the cache with a fresh value, including callers that shared
 *     another caller's load
 * @param misses backend loads the cache started
 * @param staleServes reads answered with an expired last-good value because the backend failed
 * @param loadFailures backend loads that failed
 * @param size (path, selector) entries holding a value now
 */
public record CacheStats(long hits, long misses, long staleServes, long loadFailures, int size) {}
