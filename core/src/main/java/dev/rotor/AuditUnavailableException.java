package dev.rotor;

import org.jspecify.annotations.Nullable;

/**
 * An audit event could not be written. Audit fails closed: the access the event records is
 * refused with this exception.
 */
public class AuditUnavailableException extends RotorException {

    private static final long serialVersionUID = 1L;

    public AuditUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
