package dev.rotor.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.SecretStore;
import dev.rotor.testkit.SecretStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The reference store against the contract. One store is shared by every test, as a remote
 * backend would be, so this also shows that the contract's tests keep to their own prefixes
 * and clean up after themselves.
 */
class InMemorySecretStoreContractTest extends SecretStoreContract {

    private static InMemorySecretStore store;

    @BeforeAll
    static void openStore() {
        store = new InMemorySecretStore("memory");
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
}
