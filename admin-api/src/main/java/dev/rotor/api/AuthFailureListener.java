package dev.rotor.api;

/**
 * Told of every request refused with 401 or 403, so that alerting can watch for bursts.
 * Called on the request's thread after the response is decided; it should return quickly and
 * must not throw (an exception is logged and ignored). Implementations are thread-safe.
 */
@FunctionalInterface
public interface AuthFailureListener {

    void onAuthFailure(AuthFailure failure);

    /** A listener that does nothing. */
    static AuthFailureListener none() {
        return failure -> { };
    }
}
