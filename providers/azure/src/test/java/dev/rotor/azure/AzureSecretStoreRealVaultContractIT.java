package dev.rotor.azure;

import dev.rotor.SecretStore;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.testkit.SecretStoreContract;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract against a real Azure Key Vault, opened through the provider as an application
 * would: {@code AZURE_KEYVAULT_URL} names the vault; with {@code AZURE_TENANT_ID},
 * {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_SECRET} set it signs in as that service
 * principal, otherwise with DefaultAzureCredential. The identity needs get, list, set, delete,
 * recover and purge on secrets, and the vault must allow purging (no purge protection) for the
 * delete cases.
 *
 * <p>The build runs this class only when {@code AZURE_KEYVAULT_URL} is set (profile
 * {@code azure-real-vault}); the fake-backed {@link AzureSecretStoreContractIT} always runs.
 */
@EnabledIfEnvironmentVariable(named = "AZURE_KEYVAULT_URL", matches = "https://.+",
        disabledReason = "no real vault: set AZURE_KEYVAULT_URL (and AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)")
class AzureSecretStoreRealVaultContractIT extends SecretStoreContract {

    private static SecretStore store;

    @BeforeAll
    static void open() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("vaultUrl", System.getenv("AZURE_KEYVAULT_URL"));
        if (System.getenv("AZURE_CLIENT_SECRET") != null && System.getenv("AZURE_TENANT_ID") != null
                && System.getenv("AZURE_CLIENT_ID") != null) {
            settings.put("credential", "client-secret");
            settings.put("tenantId", System.getenv("AZURE_TENANT_ID"));
            settings.put("clientId", System.getenv("AZURE_CLIENT_ID"));
            settings.put("clientSecretEnv", "AZURE_CLIENT_SECRET");
        }
        settings.put("maxRetries", 3);
        settings.put("pollInterval", Duration.ofMillis(500).toString());
        store = new AzureStoreProvider().open(new StoreConfig("azure-real", "azure", settings), StoreContext.system());
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected SecretStore store() {
        return store;
    }

    @Override
    protected String pathRoot() {
        return "rotor-contract";
    }

    @Override
    protected int concurrentPromoteRounds() {
        return 3;
    }
}
