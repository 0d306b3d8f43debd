package dev.rotor;

import org.jspecify.annotations.Nullable;

/** The backend refused the caller: bad credentials, missing permission, or a wrong key. */
public class AccessDeniedException extends RotorException {

    private static final long serialVersionUID = 1L;

    public AccessDeniedException(String message) {
        super(message);
    }

    public AccessDeniedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
