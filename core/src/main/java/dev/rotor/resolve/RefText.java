package dev.rotor.resolve;

import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import org.jspecify.annotations.Nullable;

/**
 * A configuration value that holds a reference, parsed: {@code secret://…} (required),
 * {@code optional:secret://…} (absent if missing) or {@code secret://…|default:TEXT} (TEXT if
 * missing). {@code |} cannot occur in a ref, so the ref always ends where {@code |default:}
 * begins.
 */
record RefText(String location, String written, @Nullable SecretRef ref, Mode mode, @Nullable String defaultText,
        @Nullable String problem) {

    static final String OPTIONAL_PREFIX = "optional:";
    static final String DEFAULT_SEPARATOR = "|default:";

    enum Mode { REQUIRED, OPTIONAL, DEFAULT }

    /** True if {@code text} is meant as a reference: it starts with {@code secret://} or {@code optional:secret://}. */
    static boolean isRef(@Nullable String text) {
        return text != null && (text.startsWith(SecretRef.SCHEME) || text.startsWith(OPTIONAL_PREFIX + SecretRef.SCHEME));
    }

    static RefText parse(String location, String text) {
        boolean optional = text.startsWith(OPTIONAL_PREFIX);
        String rest = optional ? text.substring(OPTIONAL_PREFIX.length()) : text;
        int cut = rest.indexOf(DEFAULT_SEPARATOR);
        String written = cut < 0 ? rest : rest.substring(0, cut);
        String shown = optional ? OPTIONAL_PREFIX + written : written;
        String defaultText = cut < 0 ? null : rest.substring(cut + DEFAULT_SEPARATOR.length());
        if (optional && defaultText != null) {
            return new RefText(location, shown, null, Mode.OPTIONAL, null,
                    "give either 'optional:' or '|default:', not both");
        }
        Mode mode = optional ? Mode.OPTIONAL : defaultText != null ? Mode.DEFAULT : Mode.REQUIRED;
        try {
            return new RefText(location, shown, SecretRef.parse(written), mode, defaultText, null);
        } catch (InvalidSecretRefException e) {
            return new RefText(location, shown, null, mode, null, e.getMessage());
        }
    }

    /** A missing secret or field is not a failure for this reference. */
    boolean mayBeMissing() {
        return mode != Mode.REQUIRED;
    }

    @Override
    public String toString() {
        // The default may be sensitive (a development password): never shown.
        return location + " = " + written;
    }
}
