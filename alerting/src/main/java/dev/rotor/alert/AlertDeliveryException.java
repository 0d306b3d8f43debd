package dev.rotor.alert;

import dev.rotor.RotorException;
import org.jspecify.annotations.Nullable;

/** A sink could not deliver an alert. The message names the sink and the error, never a credential. */
public class AlertDeliveryException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public AlertDeliveryException(String message, boolean retryable, @Nullable Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether trying again may succeed (a timeout, a 5xx, a 429); false for a rejected request (other 4xx). */
    public boolean isRetryable() {
        return retryable;
    }
}
