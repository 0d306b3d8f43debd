package dev.rotor.config;

import dev.rotor.ConfigProblem;
import dev.rotor.audit.JsonlAuditSink;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads an audit checkpoint key (base64, at least {@link JsonlAuditSink.Options#MIN_KEY_BYTES}
 * bytes) from an environment variable. Problems name the variable and never quote its value.
 */
public final class CheckpointKeys {

    private CheckpointKeys() {}

    /**
     * The decoded key, or {@code null} after adding a problem for {@code field}. The caller owns
     * the array and should zero it when done.
     */
    public static byte @Nullable [] fromEnvironment(String field, String variable,
            Function<String, @Nullable String> environment, List<ConfigProblem> problems) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(variable, "variable");
        int min = JsonlAuditSink.Options.MIN_KEY_BYTES;
        String text = environment.apply(variable);
        if (text == null || text.isBlank()) {
            problems.add(new ConfigProblem(field, "environment variable " + variable + " is not set; set it to a base64 key of at least "
                    + min + " bytes (e.g. openssl rand -base64 32)"));
            return null;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(field, "environment variable " + variable + " is not valid base64"));
            return null;
        }
        if (key.length < min) {
            problems.add(new ConfigProblem(field, "environment variable " + variable + " holds a key of " + key.length
                    + " bytes; at least " + min + " are required"));
            Arrays.fill(key, (byte) 0);
            return null;
        }
        return key;
    }
}
