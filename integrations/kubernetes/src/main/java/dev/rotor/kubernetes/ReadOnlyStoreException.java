package dev.rotor.kubernetes;

import dev.rotor.RotorException;

/** A write (put, stage move, delete) was sent to a store that only reads. */
public class ReadOnlyStoreException extends RotorException {

    private static final long serialVersionUID = 1L;

    public ReadOnlyStoreException(String message) {
        super(message);
    }
}
