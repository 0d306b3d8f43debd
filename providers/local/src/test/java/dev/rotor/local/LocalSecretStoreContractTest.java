package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.SecretStore;
import dev.rotor.testkit.SecretStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store against the shared contract. One store is used by every test, as a deployed
 * store would be; the leak check also scans every file in the store directory, so a value that
 * reached the disk unencrypted would fail it.
 */
class LocalSecretStoreContractTest extends SecretStoreContract {

    @TempDir
    static Path tmp;

    private static LocalSecretStore store;

    @BeforeAll
    static void openStore() {
        MasterKey key = MasterKey.generate();
        store = LocalSecretStore.open("local", tmp.resolve("store"), key, Clock.systemUTC());
        key.destroy();
    }

    @AfterAll
    static void everyTestCleanedUpAfterItself() {
        assertThat(store.list("")).as("secrets left behind by the contract").isEmpty();
        store.close();
    }

    @Override
    protected SecretStore store() {
        return store;
    }

    @Override
    protected List<Path> leakCheckedFiles() {
        return List.of(store.directory());
    }
}
