package dev.rotor.kubernetes;

import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.spi.WatchableStore;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a sync reads from: the CURRENT version of a secret (the daemon's stores). Reading the
 * value is audited; the version check that runs every minute per synced secret is a metadata
 * poll, left out of the audit log as the {@link dev.rotor.watch.SecretWatcher}'s are.
 */
public interface SecretSource {

    /** The CURRENT version and its value; the caller destroys the value. */
    Secret current(SecretRef ref);

    /** The id of the CURRENT version, without reading the value. */
    String currentVersionId(SecretRef ref);

    /** Reads from the store each ref names, e.g. {@code rotor::store}. */
    static SecretSource of(Function<String, SecretStore> stores) {
        Objects.requireNonNull(stores, "stores");
        return new SecretSource() {
            @Override
            public Secret current(SecretRef ref) {
                return stores.apply(ref.store()).get(ref.path(), Selector.CURRENT);
            }

            @Override
            public String currentVersionId(SecretRef ref) {
                SecretStore store = stores.apply(ref.store());
                List<VersionInfo> versions = store instanceof WatchableStore w ? w.pollVersions(ref.path()) : store.versions(ref.path());
                return versions.stream().filter(v -> v.has(Stage.CURRENT)).map(VersionInfo::id)
                        .findFirst().orElseThrow(() -> SecretNotFoundException.of(ref.store(), ref.path(), Selector.CURRENT));
            }
        };
    }
}
