package dev.rotor.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The cache's backoff after failed loads of one entry.
 *
 * @param failures consecutive failed loads
 * @param step the current backoff step: the initial backoff, doubled per further failure, at most the maximum
 * @param nextAttempt no backend load of the entry starts before this instant (the step, jittered into [step/2, step])
 */
public record BackoffState(int failures, Duration step, Instant nextAttempt) {

    public BackoffState {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1");
        }
    }
}
