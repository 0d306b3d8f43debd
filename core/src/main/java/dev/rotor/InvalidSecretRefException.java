package dev.rotor;

/** A secret ref or path does not parse; the message says what is wrong and at which character. */
public class InvalidSecretRefException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final String ref;
    private final int position;

    public InvalidSecretRefException(String ref, String problem, int position) {
        super("invalid secret ref '" + printable(ref) + "' at position " + position + ": " + problem);
        this.ref = ref;
        this.position = position;
    }

    /** Control and non-ASCII characters escaped as \\uXXXX, so a hostile ref cannot forge log lines. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }

    public String ref() {
        return ref;
    }

    /** Zero-based index of the offending character. */
    public int position() {
        return position;
    }
}
