package dev.rotor.store;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the retry layer retries operations that failed with a retryable
 * {@link dev.rotor.ProviderUnavailableException}. Field paths in problems start with {@code retry.}.
 *
 * @param maxAttempts attempts in all, the first included; 1 never retries
 * @param initialBackoff the upper bound of the first wait
 * @param maxBackoff the largest upper bound of any wait
 * @param multiplier how much the upper bound grows per attempt (at least 1)
 * @param maxRetryAfter the longest a backend's Retry-After hint may make the layer wait
 */
public record RetryOptions(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
        Duration maxRetryAfter) {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(30);

    public RetryOptions {
        List<ConfigProblem> problems = new ArrayList<>();
        if (maxAttempts < 1) {
            problems.add(new ConfigProblem("retry.maxAttempts", "must be at least 1 (was " + maxAttempts + ")"));
        }
        boolean initialOk = Checks.atLeast(problems, "retry.initialBackoff", initialBackoff, Duration.ofMillis(1));
        boolean maxOk = Checks.atLeast(problems, "retry.maxBackoff", maxBackoff, Duration.ofMillis(1));
        if (initialOk && maxOk && maxBackoff.compareTo(initialBackoff) < 0) {
            problems.add(new ConfigProblem("retry.maxBackoff",
                    "must be at least retry.initialBackoff (" + initialBackoff + "), was " + maxBackoff));
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            problems.add(new ConfigProblem("retry.multiplier", "must be a finite number of at least 1 (was " + multiplier + ")"));
        }
        Checks.atLeast(problems, "retry.maxRetryAfter", maxRetryAfter, Duration.ZERO);
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** 3 attempts, waits up to 100 ms growing twofold to at most 5 s, Retry-After honoured up to 30 s. */
    public static RetryOptions defaults() {
        return new RetryOptions(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MULTIPLIER,
                DEFAULT_MAX_RETRY_AFTER);
    }

    public RetryOptions withMaxAttempts(int attempts) {
        return new RetryOptions(attempts, initialBackoff, maxBackoff, multiplier, maxRetryAfter);
    }

    public RetryOptions withBackoff(Duration initial, Duration max, double newMultiplier) {
        return new RetryOptions(maxAttempts, initial, max, newMultiplier, maxRetryAfter);
    }

    public RetryOptions withMaxRetryAfter(Duration max) {
        return new RetryOptions(maxAttempts, initialBackoff, maxBackoff, multiplier, max);
    }
}
