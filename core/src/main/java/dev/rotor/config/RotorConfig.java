package dev.rotor.config;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The contents of {@code rotor.yaml}, validated:
 *
 * <pre>{@code
 * actor: ops-alice              # optional; default "<user>@<host>"
 * stores:
 *   main:                       # the <store> in secret://main/...
 *     type: local               # provider type; the other keys are the provider's settings
 *     path: ./data/store
 *     keyFile: ./data/master.key
 * audit:
 *   file: ./data/audit.jsonl    # hash-chained file, relative to the config file's directory
 *   stdout: false               # also print events as JSON lines
 *   checkpointKeyEnv: ROTOR_AUDIT_KEY
 * cache:
 *   ttl: 5m
 * }</pre>
 *
 * Loading reports every problem at once, each with the path of its field
 * ({@link InvalidConfigurationException#problems()}). Store settings are checked by their
 * provider when {@link dev.rotor.Rotor} opens the stores; relative paths in them resolve against
 * {@link #baseDirectory()}.
 *
 * @param actor who the audit records name when no caller is set; {@code null} for the default
 * @param stores the configured stores by name, in file order
 * @param audit where audit events go; {@code null} for no audit
 * @param cache in-memory caching of values; {@code null} for none
 * @param baseDirectory the directory relative paths resolve against (the config file's)
 */
public record RotorConfig(
        @Nullable String actor,
        Map<String, StoreConfig> stores,
        @Nullable AuditConfig audit,
        @Nullable CacheConfig cache,
        Path baseDirectory) {

    public RotorConfig {
        if (actor != null && actor.isBlank()) {
            throw new IllegalArgumentException("actor is blank");
        }
        Objects.requireNonNull(stores, "stores");
        stores.forEach((name, store) -> {
            if (!name.equals(store.name())) {
                throw new IllegalArgumentException("store '" + store.name() + "' is listed under the name '" + name + "'");
            }
        });
        stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        baseDirectory = baseDirectory.toAbsolutePath().normalize();
    }

    /**
     * Reads and validates a config file.
     *
     * @throws InvalidConfigurationException listing every problem, or saying the file cannot be read
     */
    public static RotorConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigurationException(file.toString(), "config file not found");
        } catch (IOException e) {
            throw new InvalidConfigurationException(file.toString(), "config file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        return RotorConfigReader.read(text, dir, file.toString());
    }

    /**
     * Validates YAML text as if it were a file in {@code baseDirectory}.
     *
     * @throws InvalidConfigurationException listing every problem
     */
    public static RotorConfig parse(String yaml, Path baseDirectory) {
        return RotorConfigReader.read(yaml, baseDirectory.toAbsolutePath().normalize(), "rotor.yaml");
    }

    /** The store configured under {@code name}, if any. */
    public @Nullable StoreConfig store(String name) {
        return stores.get(name);
    }
}
