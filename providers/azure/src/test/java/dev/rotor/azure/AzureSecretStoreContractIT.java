package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.SecretStore;
import dev.rotor.testkit.SecretStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Azure store against the shared contract, on the fake Key Vault (driven through the real
 * Azure SDK client over HTTPS). {@link AzureSecretStoreRealVaultContractIT} runs the same cases
 * against a real vault when one is configured.
 */
class AzureSecretStoreContractIT extends SecretStoreContract {

    private static FakeKeyVaultServer server;
    private static AzureSecretStore store;

    @BeforeAll
    static void open() {
        server = FakeKeyVaultServer.start();
        store = FakeVault.store("azure", server);
    }

    @AfterAll
    static void everyTestCleanedUpAfterItself() {
        try {
            assertThat(store.list("")).as("secrets left behind by the contract").isEmpty();
            assertThat(server.secretNames()).as("Azure secrets left behind, PENDING ones included").isEmpty();
            assertThat(server.deletedNames()).as("deleted secrets not purged").isEmpty();
        } finally {
            store.close();
            server.close();
        }
    }

    @Override
    protected SecretStore store() {
        return store;
    }

    @Override
    protected java.util.List<String> missingVersionIds() {
        // a well-formed Azure version id that no version has, besides the contract's own
        return java.util.List.of("999999999", "no-such-version", "0123456789abcdef0123456789abcdef");
    }
}
