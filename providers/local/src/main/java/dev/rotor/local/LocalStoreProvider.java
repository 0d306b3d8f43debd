package dev.rotor.local;

import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.spi.ConfigBinder;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Provider of type {@code local}: the embedded encrypted file store.
 *
 * <pre>{@code
 * stores:
 *   main:
 *     type: local
 *     path: ./data/store          # required
 *     keyFile: ./data/master.key  # or keyEnv: NAME (default ROTOR_MASTER_KEY)
 *     maxVersions: 20             # versions without a stage kept per secret
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class LocalStoreProvider implements SecretStoreProvider {

    public static final String TYPE = "local";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Capabilities capabilities() {
        return LocalSecretStore.CAPABILITIES;
    }

    /** Checks the settings without touching the file system or reading the key. */
    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        LocalStoreSettings s = ConfigBinder.bind(config, LocalStoreSettings.class, problems);
        if (s == null) {
            return problems;
        }
        if (s.path() == null || s.path().isBlank()) {
            problems.add(new ConfigProblem(config.fieldPath("path"), "is required: the directory of the store"));
        } else {
            checkPath(config, context, "path", s.path(), problems);
        }
        if (s.keyFile() != null && s.keyEnv() != null) {
            problems.add(new ConfigProblem(config.fieldPath("keyEnv"), "give either keyFile or keyEnv, not both"));
        }
        if (s.keyFile() != null) {
            if (s.keyFile().isBlank()) {
                problems.add(new ConfigProblem(config.fieldPath("keyFile"), "is empty"));
            } else {
                checkPath(config, context, "keyFile", s.keyFile(), problems);
            }
        }
        if (s.keyEnv() != null && !ENV_NAME.matcher(s.keyEnv()).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("keyEnv"),
                    "'" + s.keyEnv() + "' is not an environment variable name (letters, digits and '_', not starting with a digit)"));
        }
        if (s.maxVersions() != null && (s.maxVersions() < 1 || s.maxVersions() > LocalStoreOptions.MAX_MAX_VERSIONS)) {
            problems.add(new ConfigProblem(config.fieldPath("maxVersions"),
                    "must be between 1 and " + LocalStoreOptions.MAX_MAX_VERSIONS + ", is " + s.maxVersions()));
        }
        return problems;
    }

    private static void checkPath(StoreConfig config, StoreContext context, String field, String value, List<ConfigProblem> problems) {
        try {
            context.resolve(value);
        } catch (InvalidPathException e) {
            problems.add(new ConfigProblem(config.fieldPath(field), "is not a valid file system path"));
        }
    }

    /**
     * Reads the master key and opens the store, creating it if its directory is missing or empty.
     *
     * @throws InvalidConfigurationException if a setting is bad, or the key is missing or malformed
     *     (naming {@code keyFile} or {@code keyEnv})
     * @throws dev.rotor.AccessDeniedException if the key is not the one the store was made with
     */
    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        LocalStoreSettings s = ConfigBinder.bind(config, LocalStoreSettings.class, problems);
        InvalidConfigurationException.throwIfAny(validate(config, context));
        Path directory = context.resolve(s.path());
        MasterKey key = readKey(config, context, s);
        try {
            return LocalSecretStore.open(config.name(), directory, key, context.clock(), s.options());
        } finally {
            key.destroy();
        }
    }

    private static MasterKey readKey(StoreConfig config, StoreContext context, LocalStoreSettings s) {
        String env = s.effectiveKeyEnv();
        if (env == null) {
            try {
                return MasterKey.read(context.resolve(s.keyFile()));
            } catch (InvalidConfigurationException e) {
                ConfigProblem p = e.problems().get(0);
                throw new InvalidConfigurationException(config.fieldPath("keyFile"), p.field() + ": " + p.message());
            }
        }
        String field = config.fieldPath("keyEnv");
        String text = context.env(env);
        if (text == null || text.isBlank()) {
            throw new InvalidConfigurationException(field, "environment variable " + env + " is not set; set it to a master key"
                    + " (base64, e.g. the content of a file made by 'rotor keygen') or configure keyFile");
        }
        try {
            return MasterKey.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(field, "environment variable " + env + " does not hold a valid key: " + e.getMessage());
        }
    }
}
