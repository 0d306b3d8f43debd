package dev.rotor.rotation;

import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.List;
import java.util.Optional;

/**
 * Reads for rotation code that must see the store as it is now. A cache layer may serve CURRENT
 * from memory for a while; {@code versions()} always goes to the backend and a version, once
 * written, never changes, so finding the version through {@code versions()} and reading it by
 * id is right with or without a cache. Stateless.
 */
public final class StoreReads {

    private StoreReads() {}

    /** The version a stage points at now, if the secret exists and the stage is set. */
    public static Optional<VersionInfo> stage(SecretStore store, String path, Stage stage) {
        List<VersionInfo> versions;
        try {
            versions = store.versions(path);
        } catch (SecretNotFoundException e) {
            return Optional.empty();
        }
        VersionInfo found = null;
        for (VersionInfo v : versions) {
            if (v.has(stage)) {
                found = v;
            }
        }
        return Optional.ofNullable(found);
    }

    /** CURRENT as it is now (see the class comment), if the secret exists and has one. */
    public static Optional<Secret> current(SecretStore store, String path) {
        Optional<VersionInfo> v = stage(store, path, Stage.CURRENT);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(store.get(path, Selector.version(v.get().id())));
        } catch (SecretNotFoundException e) {
            return Optional.empty(); // deleted meanwhile
        }
    }
}
