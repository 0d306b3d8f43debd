package dev.rotor;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A session with one secret backend. Every write makes a new version; the stages CURRENT,
 * PENDING and PREVIOUS point at versions and move atomically.
 *
 * <p>Implementations are thread-safe. Paths are validated with {@link SecretRef#checkPath}.
 * Errors are {@link RotorException}s whose messages name paths and versions, never values.
 */
public interface SecretStore extends AutoCloseable {

    /** The name this store is configured under (the {@code store} part of a ref). */
    String name();

    Capabilities capabilities();

    /**
     * Reads one version.
     *
     * @throws SecretNotFoundException if the secret, the version or the stage does not exist
     */
    Secret get(String path, Selector selector);

    default Secret get(String path) {
        return get(path, Selector.CURRENT);
    }

    /**
     * Reads several secrets at once, in as few backend calls as the backend allows (AWS:
     * {@code BatchGetSecretValue}, 20 per call). Secrets that do not exist, or have no version at
     * {@code selector}, are absent from the result; any other failure is thrown.
     *
     * @return path to secret, in the order of {@code paths}
     */
    default Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        Map<String, Secret> out = new LinkedHashMap<>();
        for (String path : paths) {
            try {
                out.put(path, get(path, selector));
            } catch (SecretNotFoundException e) {
                // absent from the result, as documented
            }
        }
        return out;
    }

    /**
     * Writes a new version. As CURRENT, the old CURRENT becomes PREVIOUS; as PENDING, CURRENT
     * does not change and a plain reader of the backend keeps seeing CURRENT.
     */
    VersionInfo put(String path, SecretValue value, PutOptions options);

    /** All versions, oldest first. @throws SecretNotFoundException if the secret does not exist */
    List<VersionInfo> versions(String path);

    /**
     * Makes {@code versionId} CURRENT; the version that was CURRENT becomes PREVIOUS and the
     * PENDING stage leaves {@code versionId}. Atomic.
     *
     * @param expectedCurrentVersionId compare-and-set: the move happens only if CURRENT points
     *     at this version now; {@code null} moves unconditionally
     * @throws ConflictException if CURRENT is not at {@code expectedCurrentVersionId}
     * @throws SecretNotFoundException if the secret or version does not exist
     */
    VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId);

    /**
     * Points PENDING or PREVIOUS at {@code versionId}, or removes the stage if it is
     * {@code null}. CURRENT moves only through {@link #promote}.
     *
     * @param expectedVersionId compare-and-set: the version the stage must point at now;
     *     {@code null} moves unconditionally
     * @throws ConflictException if the stage does not point at {@code expectedVersionId}
     */
    void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId);

    /** Paths of the secrets whose path starts with {@code prefix} ("" for all), sorted. */
    List<String> list(String prefix);

    /** Deletes the secret with all its versions. @throws SecretNotFoundException if it does not exist */
    void delete(String path);

    /** A live check against the backend; never throws. */
    Health health();

    @Override
    void close();
}
