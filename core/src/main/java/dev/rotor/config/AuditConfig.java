package dev.rotor.config;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code audit:} section of {@code rotor.yaml}.
 *
 * @param file the hash-chained JSON-lines audit file, absolute; {@code null} for none
 * @param stdout whether events are also printed as JSON lines
 * @param checkpointKeyEnv the environment variable holding the HMAC key for signed
 *     checkpoints in {@code file}; {@code null} for unsigned
 */
public record AuditConfig(@Nullable Path file, boolean stdout, @Nullable String checkpointKeyEnv) {

    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public AuditConfig {
        if (file == null && !stdout) {
            throw new IllegalArgumentException("audit needs a file, stdout, or both");
        }
        if (file != null && !file.isAbsolute()) {
            throw new IllegalArgumentException("audit file must be an absolute path (relative paths are resolved when loading)");
        }
        if (checkpointKeyEnv != null) {
            if (!ENV_NAME.matcher(checkpointKeyEnv).matches()) {
                throw new IllegalArgumentException("checkpointKeyEnv '" + checkpointKeyEnv + "' is not an environment variable name");
            }
            if (file == null) {
                throw new IllegalArgumentException("checkpointKeyEnv needs an audit file to sign");
            }
        }
    }
}
