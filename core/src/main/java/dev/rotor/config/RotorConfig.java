package dev.rotor.config;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * rotators:                     # name -> type and the rotator's own settings
 *   app-db: { type: postgres-password, host: db.internal, ... }
 * policies: [...]               # the daemon's; handed over raw, see sections()
 * scheduler: {...}              # the daemon's
 * alerts: {...}                 # the alerting module's
 * api: {...}                    # the admin API's
 * }</pre>
 *
 * <p>Core reads {@code rotators} only as far as name and type; each rotator's settings are checked
 * by its provider. The sections {@value #POLICIES}, {@value #SCHEDULER}, {@value #ALERTS} and
 * {@value #API} belong to other modules: core hands each one's tree over as plain data (maps,
 * lists, strings, numbers, booleans) through {@link #section(String)}, and their owners check
 * them, in the same pass when they pass a {@link Check} to {@link #load(Path, Check)}.
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
 * @param rotators the configured rotators by name, in file order
 * @param sections the raw trees of the sections other modules own, by top-level key; absent
 *     sections are absent from the map
 */
public record RotorConfig(
        @Nullable String actor,
        Map<String, StoreConfig> stores,
        @Nullable AuditConfig audit,
        @Nullable CacheConfig cache,
        Path baseDirectory,
        Map<String, RotatorConfig> rotators,
        Map<String, Object> sections) {

    public static final String POLICIES = "policies";
    public static final String SCHEDULER = "scheduler";
    public static final String ALERTS = "alerts";
    public static final String API = "api";
    /** The top-level sections handed over raw to the modules that own them. */
    public static final List<String> RAW_SECTIONS = List.of(POLICIES, SCHEDULER, ALERTS, API);

    /**
     * Checks the sections core does not know, together with core's own checks, so that a file's
     * problems are all reported at once.
     */
    @FunctionalInterface
    public interface Check {
        /**
         * Appends every problem found to {@code problems}. {@code config} holds what core read;
         * parts core found invalid are left out of it.
         */
        void check(RotorConfig config, List<ConfigProblem> problems);
    }

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
        Objects.requireNonNull(rotators, "rotators");
        rotators.forEach((name, rotator) -> {
            if (!name.equals(rotator.name())) {
                throw new IllegalArgumentException("rotator '" + rotator.name() + "' is listed under the name '" + name + "'");
            }
        });
        rotators = Collections.unmodifiableMap(new LinkedHashMap<>(rotators));
        Objects.requireNonNull(sections, "sections");
        sections.keySet().forEach(key -> {
            if (!RAW_SECTIONS.contains(key)) {
                throw new IllegalArgumentException("'" + key + "' is not a raw section (known: " + RAW_SECTIONS + ")");
            }
        });
        sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
    }

    /** A configuration with stores, audit and cache only. */
    public RotorConfig(@Nullable String actor, Map<String, StoreConfig> stores, @Nullable AuditConfig audit,
            @Nullable CacheConfig cache, Path baseDirectory) {
        this(actor, stores, audit, cache, baseDirectory, Map.of(), Map.of());
    }

    /**
     * Reads and validates a config file.
     *
     * @throws InvalidConfigurationException listing every problem, or saying the file cannot be read
     */
    public static RotorConfig load(Path file) {
        return load(file, (config, problems) -> {});
    }

    /**
     * Reads and validates a config file, running {@code check} on what was read before reporting
     * core's problems and the check's together.
     *
     * @throws InvalidConfigurationException listing every problem, or saying the file cannot be read
     */
    public static RotorConfig load(Path file, Check check) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(check, "check");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigurationException(file.toString(), "config file not found");
        } catch (IOException e) {
            throw new InvalidConfigurationException(file.toString(), "config file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        return RotorConfigReader.read(text, dir, file.toString(), check);
    }

    /**
     * Validates YAML text as if it were a file in {@code baseDirectory}.
     *
     * @throws InvalidConfigurationException listing every problem
     */
    public static RotorConfig parse(String yaml, Path baseDirectory) {
        return parse(yaml, baseDirectory, (config, problems) -> {});
    }

    /**
     * Validates YAML text as if it were a file in {@code baseDirectory}, with {@code check} run as in
     * {@link #load(Path, Check)}.
     *
     * @throws InvalidConfigurationException listing every problem
     */
    public static RotorConfig parse(String yaml, Path baseDirectory, Check check) {
        Objects.requireNonNull(check, "check");
        return RotorConfigReader.read(yaml, baseDirectory.toAbsolutePath().normalize(), "rotor.yaml", check);
    }

    /** The store configured under {@code name}, if any. */
    public @Nullable StoreConfig store(String name) {
        return stores.get(name);
    }

    /** The rotator configured under {@code name}, if any. */
    public @Nullable RotatorConfig rotator(String name) {
        return rotators.get(name);
    }

    /**
     * The raw tree of a section another module owns ({@link #RAW_SECTIONS}): a {@code Map}, a
     * {@code List} or a scalar as written, or {@code null} if the file has no such section.
     */
    public @Nullable Object section(String name) {
        if (!RAW_SECTIONS.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a raw section (known: " + RAW_SECTIONS + ")");
        }
        return sections.get(name);
    }
}
