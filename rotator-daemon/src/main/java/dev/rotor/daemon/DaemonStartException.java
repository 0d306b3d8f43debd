package dev.rotor.daemon;

import dev.rotor.RotorException;

/** The daemon's scheduler could not start (job store unreachable, schema not creatable, ...). The cause says why. */
public class DaemonStartException extends RotorException {

    private static final long serialVersionUID = 1L;

    public DaemonStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
