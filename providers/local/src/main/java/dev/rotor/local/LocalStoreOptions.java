package dev.rotor.local;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link LocalSecretStore} keeps its files.
 *
 * @param maxVersions how many versions without a stage each secret keeps besides those CURRENT,
 *     PENDING and PREVIOUS point at; older ones are removed when the secret is next written.
 *     Between 1 and {@value #MAX_MAX_VERSIONS}, default {@value #DEFAULT_MAX_VERSIONS}
 */
public record LocalStoreOptions(int maxVersions) {

    public static final int DEFAULT_MAX_VERSIONS = 20;
    public static final int MAX_MAX_VERSIONS = 10_000;

    public LocalStoreOptions {
        List<ConfigProblem> problems = new ArrayList<>();
        if (maxVersions < 1 || maxVersions > MAX_MAX_VERSIONS) {
            problems.add(new ConfigProblem("maxVersions", "must be between 1 and " + MAX_MAX_VERSIONS + ", was " + maxVersions));
        }
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** {@value #DEFAULT_MAX_VERSIONS} unstaged versions per secret. */
    public static LocalStoreOptions defaults() {
        return new LocalStoreOptions(DEFAULT_MAX_VERSIONS);
    }
}
