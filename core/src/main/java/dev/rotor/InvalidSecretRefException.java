package dev.rotor;

/** A secret ref or path does not parse; the message says what is wrong and at which character. */
public class InvalidSecretRefException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final String ref;
    private final int position;

    public InvalidSecretRefException(String ref, String problem, int position) {
        super("invalid secret ref '" + ref + "' at position " + position + ": " + problem);
        this.ref = ref;
        this.position = position;
    }

    public String ref() {
        return ref;
    }

    /** Zero-based index of the offending character. */
    public int position() {
        return position;
    }
}
