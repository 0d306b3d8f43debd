package dev.rotor.audit;

import dev.rotor.AccessDeniedException;
import dev.rotor.ConflictException;
import dev.rotor.SecretNotFoundException;

/** How an audited access ended. */
public enum AuditOutcome {
    SUCCESS,
    NOT_FOUND,
    DENIED,
    CONFLICT,
    ERROR;

    /** The outcome a failed access ends with. */
    public static AuditOutcome of(Throwable failure) {
        return switch (failure) {
            case SecretNotFoundException e -> NOT_FOUND;
            case AccessDeniedException e -> DENIED;
            case ConflictException e -> CONFLICT;
            default -> ERROR;
        };
    }
}
