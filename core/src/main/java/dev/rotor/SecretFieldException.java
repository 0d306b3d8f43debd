package dev.rotor;

/** A ref's {@code #field} does not exist in the secret's value, or the value is not a JSON object. */
public class SecretFieldException extends RotorException {

    private static final long serialVersionUID = 1L;

    public SecretFieldException(String message) {
        super(message);
    }
}
