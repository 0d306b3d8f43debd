package dev.rotor;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception Rotor throws. Messages name stores, refs and versions, never
 * secret values; a backend SDK's exception is kept as the cause.
 */
public class RotorException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RotorException(String message) {
        super(message);
    }

    public RotorException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
