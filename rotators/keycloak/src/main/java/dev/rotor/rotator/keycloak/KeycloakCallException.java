package dev.rotor.rotator.keycloak;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A call to Keycloak failed. The message names the call, the realm and the client, the HTTP status
 * and Keycloak's error code; never a secret, never a request body. The rotator turns it into a
 * {@link dev.rotor.rotation.RotationException} naming the step.
 */
final class KeycloakCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, so the rotator can say what to do about it. */
    enum Kind {
        /** no answer: connection refused, timeout, broken connection */
        UNREACHABLE,
        /** the rotator's own credentials were refused (token endpoint 401, or admin API 401 with a fresh token) */
        UNAUTHENTICATED,
        /** the rotator's client lacks a role the call needs (HTTP 403) */
        FORBIDDEN,
        /** the realm, the client or the rotated secret does not exist (HTTP 404) */
        NOT_FOUND,
        /** any other error answer or an answer the rotator cannot read */
        FAILED
    }

    private final Kind kind;
    private final int status;

    KeycloakCallException(Kind kind, int status, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.status = status;
    }

    KeycloakCallException(Kind kind, int status, String message) {
        this(kind, status, message, null);
    }

    Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was no answer. */
    int status() {
        return status;
    }
}
