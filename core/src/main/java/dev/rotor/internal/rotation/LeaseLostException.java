package dev.rotor.internal.rotation;

import dev.rotor.RotorException;

/** This holder's lease expired and another holder took it: stop without touching anything. */
public final class LeaseLostException extends RotorException {

    private static final long serialVersionUID = 1L;

    public LeaseLostException(String message) {
        super(message);
    }
}
