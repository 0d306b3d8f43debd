package dev.rotor;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The backend could not be reached or answered with an error that is not the caller's fault
 * (timeouts, throttling, 5xx). {@link #isRetryable()} says whether trying again may help, and
 * {@link #retryAfter()} carries the backend's Retry-After hint if it sent one.
 */
public class ProviderUnavailableException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final @Nullable Duration retryAfter;

    public ProviderUnavailableException(String message, boolean retryable, @Nullable Duration retryAfter, @Nullable Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public ProviderUnavailableException(String message, boolean retryable, @Nullable Throwable cause) {
        this(message, retryable, null, cause);
    }

    public boolean isRetryable() {
        return retryable;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
