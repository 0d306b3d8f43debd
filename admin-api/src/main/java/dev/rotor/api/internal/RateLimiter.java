package dev.rotor.api.internal;

import dev.rotor.api.ApiConfig;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A token bucket per client key (a principal's name, or an address for anonymous calls). Keeps
 * at most {@link #MAX_CLIENTS} buckets, dropping the least recently used, so that a flood of
 * addresses cannot grow memory without bound. Thread-safe; the map lock covers only the lookup.
 */
public final class RateLimiter {

    static final int MAX_CLIENTS = 10_000;

    private final ApiConfig.RateLimit limit;
    private final TimeMeter time;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    public RateLimiter(ApiConfig.RateLimit limit, Clock clock) {
        this.limit = Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(clock, "clock");
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** Takes one request from {@code client}'s bucket: empty if allowed, else how long to wait. */
    public Optional<Duration> tryAcquire(String client) {
        Bucket bucket;
        synchronized (buckets) {
            bucket = buckets.computeIfAbsent(client, k -> newBucket());
        }
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill())));
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(l -> l.capacity(limit.requests()).refillGreedy(limit.requests(), limit.per()))
                .withCustomTimePrecision(time)
                .build();
    }
}
