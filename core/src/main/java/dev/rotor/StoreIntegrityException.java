package dev.rotor;

import org.jspecify.annotations.Nullable;

/**
 * Stored data failed an integrity check: a corrupt or truncated file, or data that does not
 * decrypt under the configured key. The message names the file or secret; other secrets in
 * the same store stay readable.
 */
public class StoreIntegrityException extends RotorException {

    private static final long serialVersionUID = 1L;

    public StoreIntegrityException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    public StoreIntegrityException(String message) {
        super(message);
    }
}
