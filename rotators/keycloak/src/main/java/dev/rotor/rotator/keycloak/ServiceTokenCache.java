package dev.rotor.rotator.keycloak;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The rotator's own access token, fetched with the client-credentials grant and kept until
 * shortly before it expires.
 *
 * <p>Thread-safe without a lock around the fetch: the first caller that finds no usable token
 * fetches one; callers arriving meanwhile wait for that same fetch instead of starting their own.
 * A failed fetch is not kept: the next caller tries again.
 */
final class ServiceTokenCache {

    /** What the token endpoint granted. {@link #toString()} hides the token. */
    record Grant(String accessToken, Duration expiresIn) {
        Grant {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(expiresIn, "expiresIn");
        }

        @Override
        public String toString() {
            return "Grant[accessToken=<redacted>, expiresIn=" + expiresIn + "]";
        }
    }

    private record Entry(String accessToken, Instant refreshAt) {
        @Override
        public String toString() {
            return "Entry[accessToken=<redacted>, refreshAt=" + refreshAt + "]";
        }
    }

    private final Supplier<Grant> fetcher;
    private final Clock clock;
    private final Duration margin;
    private final AtomicReference<CompletableFuture<Entry>> slot = new AtomicReference<>();

    ServiceTokenCache(Supplier<Grant> fetcher, Clock clock, Duration margin) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.margin = Objects.requireNonNull(margin, "margin");
    }

    /** A token that is not about to expire: the cached one, or a new one. */
    String get() {
        while (true) {
            CompletableFuture<Entry> seen = slot.get();
            if (seen != null) {
                if (!seen.isDone()) {
                    return await(seen).accessToken();
                }
                Entry entry = seen.isCompletedExceptionally() ? null : seen.join();
                if (entry != null && clock.instant().isBefore(entry.refreshAt())) {
                    return entry.accessToken();
                }
            }
            CompletableFuture<Entry> mine = new CompletableFuture<>();
            if (!slot.compareAndSet(seen, mine)) {
                continue; // another caller started a fetch: share it
            }
            try {
                Grant grant = fetcher.get();
                Entry entry = new Entry(grant.accessToken(), refreshAt(clock.instant(), grant.expiresIn()));
                mine.complete(entry);
                return entry.accessToken();
            } catch (RuntimeException | Error e) {
                slot.compareAndSet(mine, null);
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }

    /**
     * Forgets {@code accessToken} if it is the cached one (Keycloak refused it: restarted with new
     * keys, or the session was revoked), so that the next {@link #get()} fetches a new one.
     */
    void invalidate(String accessToken) {
        CompletableFuture<Entry> seen = slot.get();
        if (seen != null && seen.isDone() && !seen.isCompletedExceptionally()
                && seen.join().accessToken().equals(accessToken)) {
            slot.compareAndSet(seen, null);
        }
    }

    /** When to stop using a token granted now for {@code expiresIn}: {@code margin} early, or halfway for short tokens. */
    Instant refreshAt(Instant now, Duration expiresIn) {
        Duration use = expiresIn.compareTo(margin.multipliedBy(2)) > 0 ? expiresIn.minus(margin) : expiresIn.dividedBy(2);
        return now.plus(use);
    }

    private static Entry await(CompletableFuture<Entry> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
