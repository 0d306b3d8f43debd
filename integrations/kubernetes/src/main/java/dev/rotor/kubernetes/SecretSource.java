package dev.rotor.kubernetes;

import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.Objects;
import java.util.function.Function;

/** Where a sync reads from: the CURRENT version of a secret (the daemon's stores, audited). */
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
                return stores.apply(ref.store()).versions(ref.path()).stream().filter(v -> v.has(Stage.CURRENT)).map(VersionInfo::id)
                        .findFirst().orElseThrow(() -> SecretNotFoundException.of(ref.store(), ref.path(), Selector.CURRENT));
            }
        };
    }
}
