package dev.rotor.local;

import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@code local} store under {@code stores.<name>} in {@code rotor.yaml}.
 *
 * @param path the store directory; relative paths resolve against the configuration's directory
 * @param keyFile a file holding the base64 master key (as written by {@code rotor keygen})
 * @param keyEnv the environment variable holding the base64 master key; default
 *     {@value #DEFAULT_KEY_ENV} when no {@code keyFile} is given
 * @param maxVersions versions without a stage kept per secret besides the staged ones; default
 *     {@value LocalStoreOptions#DEFAULT_MAX_VERSIONS}
 */
public record LocalStoreSettings(@Nullable String path, @Nullable String keyFile, @Nullable String keyEnv,
        @Nullable Integer maxVersions) {

    public static final String DEFAULT_KEY_ENV = "ROTOR_MASTER_KEY";

    /** The store options these settings give. */
    public LocalStoreOptions options() {
        return maxVersions == null ? LocalStoreOptions.defaults() : new LocalStoreOptions(maxVersions);
    }

    /** The environment variable to read the key from, or {@code null} if a key file is configured. */
    public @Nullable String effectiveKeyEnv() {
        if (keyEnv != null) {
            return keyEnv;
        }
        return keyFile == null ? DEFAULT_KEY_ENV : null;
    }
}
