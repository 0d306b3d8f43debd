package dev.rotor;

/** A compare-and-set lost: the stage or version moved since the caller looked. Re-read and decide. */
public class ConflictException extends RotorException {

    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
