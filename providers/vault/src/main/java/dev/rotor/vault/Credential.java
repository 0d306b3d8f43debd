package dev.rotor.vault;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.StoreContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one credential comes from: an environment variable, a file, or (for values that are not
 * secret on their own, such as an AppRole role id) the configuration itself. Read afresh at every
 * login, so that a file rewritten by an agent or a projected service-account token is picked up.
 * {@link #toString()} describes the source, never the value.
 *
 * @param field the configuration field it was set by, for error messages ({@code stores.x.auth.tokenEnv})
 */
record Credential(String field, Kind kind, String ref) {

    enum Kind { ENV, FILE, INLINE }

    Credential {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ref, "ref");
    }

    /**
     * The credential, trimmed.
     *
     * @throws InvalidConfigurationException naming the field if the variable is unset, or the file
     *     is missing, unreadable or empty
     */
    String read(StoreContext context) {
        String value = switch (kind) {
            case ENV -> {
                String v = context.env(ref);
                if (v == null) {
                    throw new InvalidConfigurationException(field, "environment variable " + ref + " is not set");
                }
                yield v;
            }
            case FILE -> {
                Path file = context.resolve(ref);
                try {
                    yield Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new InvalidConfigurationException(field, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
                }
            }
            case INLINE -> ref;
        };
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidConfigurationException(field, describe() + " is empty");
        }
        return trimmed;
    }

    String describe() {
        return switch (kind) {
            case ENV -> "environment variable " + ref;
            case FILE -> "file " + ref;
            case INLINE -> "the configured value";
        };
    }

    @Override
    public String toString() {
        return kind == Kind.INLINE ? "Credential[" + field + "]" : "Credential[" + field + ": " + describe() + "]";
    }
}
