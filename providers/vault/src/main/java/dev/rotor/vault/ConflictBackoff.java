package dev.rotor.vault;

import dev.rotor.ConflictException;
import dev.rotor.store.Sleeper;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The wait between check-and-set attempts that lost to another writer: full jitter, a uniformly
 * random wait in {@code [0, min(cap, base * 2^(retry-1)))} before retry {@code retry}, nothing
 * before the first attempt. Writers that retried at once would collide again in lock step and
 * could starve one another; spreading them out lets one of them win each round.
 *
 * <p>Thread-safe: holds no mutable state.
 */
final class ConflictBackoff {

    static final Duration BASE = Duration.ofMillis(5);
    static final Duration CAP = Duration.ofMillis(200);

    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Duration base;
    private final Duration cap;

    ConflictBackoff(Sleeper sleeper, DoubleSupplier random, Duration base, Duration cap) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.base = Objects.requireNonNull(base, "base");
        this.cap = Objects.requireNonNull(cap, "cap");
        if (base.isNegative() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= base <= cap, got base " + base + " and cap " + cap);
        }
    }

    /** Real sleeping, base 5 ms, cap 200 ms. */
    static ConflictBackoff standard() {
        return new ConflictBackoff(Sleeper.system(), () -> ThreadLocalRandom.current().nextDouble(), BASE, CAP);
    }

    /** The wait before attempt {@code attempt} (0 is the first attempt, which never waits). */
    Duration waitBefore(int attempt) {
        if (attempt <= 0) {
            return Duration.ZERO;
        }
        double ceiling = Math.min((double) cap.toNanos(), base.toNanos() * Math.pow(2, attempt - 1));
        return Duration.ofNanos((long) (random.getAsDouble() * ceiling));
    }

    /**
     * Waits before attempt {@code attempt}. An interrupt ends the operation as a conflict (the
     * interrupt flag is kept set), since the writer has not succeeded and will not try again.
     */
    void beforeAttempt(int attempt, String store, String action, String path) {
        Duration wait = waitBefore(attempt);
        if (wait.isZero()) {
            return;
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ConflictException conflict = new ConflictException("store '" + store + "': interrupted while waiting to retry "
                    + action + " of secret '" + path + "' after a conflict with another writer");
            conflict.addSuppressed(e);
            throw conflict;
        }
    }
}
