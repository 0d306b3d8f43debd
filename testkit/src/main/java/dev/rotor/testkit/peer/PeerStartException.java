package dev.rotor.testkit.peer;

/** A peer process could not be started or did not become ready; the message quotes its last output. */
public class PeerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PeerStartException(String message) {
        super(message);
    }

    public PeerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
