package dev.rotor.rotation;

import dev.rotor.RotorException;
import org.jspecify.annotations.Nullable;

/** A rotation failed at a step; the message names the secret and the step, never a credential. */
public class RotationException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final Step step;

    public RotationException(Step step, String message, @Nullable Throwable cause) {
        super(step + ": " + message, cause);
        this.step = step;
    }

    public RotationException(Step step, String message) {
        this(step, message, null);
    }

    public Step step() {
        return step;
    }
}
