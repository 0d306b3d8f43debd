package dev.rotor.testkit.peer;

/**
 * A peer that tests need is missing while {@code CI=true}: JUnit reports it as a failure, so a
 * CI run can never pass by skipping the tests that need a peer.
 */
public class MissingPeerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MissingPeerException(String message) {
        super(message);
    }
}
