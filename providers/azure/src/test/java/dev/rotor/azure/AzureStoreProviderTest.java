package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Configuration checks; nothing here talks to a vault. */
class AzureStoreProviderTest {

    private static final String URL = "https://my-vault.vault.azure.net";
    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "66666666-7777-8888-9999-000000000000";

    private final Map<String, String> env = new HashMap<>();
    private final AzureStoreProvider provider = new AzureStoreProvider();

    private StoreContext context() {
        return new StoreContext(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC), env::get, Path.of("."));
    }

    private static StoreConfig config(Object... keyValues) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new StoreConfig("kv", "azure", settings);
    }

    @Test
    void typeAndCapabilities() {
        assertThat(provider.type()).isEqualTo("azure");
        assertThat(provider.capabilities()).isEqualTo(AzureSecretStore.CAPABILITIES);
        assertThat(provider.capabilities().maxValueBytes()).isEqualTo(25_000);
        assertThat(provider.capabilities().nativeStages()).isFalse();
        assertThat(provider.capabilities().binaryValues()).isTrue();
    }

    @Test
    void validConfigurationsHaveNoProblems() {
        assertThat(provider.validate(config("vaultUrl", URL), context())).isEmpty();
        assertThat(provider.validate(config("vaultUrl", URL + "/", "credential", "default", "clientId", CLIENT), context())).isEmpty();
        assertThat(provider.validate(config("vaultUrl", URL, "credential", "client-secret", "tenantId", TENANT,
                "clientId", CLIENT, "clientSecretEnv", "KV_CLIENT_SECRET", "connectTimeout", "PT5S",
                "requestTimeout", "PT20S", "maxRetries", 3, "recoverDeleted", true, "purgeOnDelete", false), context())).isEmpty();
    }

    @Test
    void aMissingVaultUrlIsNamed() {
        assertThat(provider.validate(config(), context()))
                .extracting(ConfigProblem::toString)
                .containsExactly("stores.kv.vaultUrl: is required: the vault's URL, e.g. https://my-vault.vault.azure.net");
    }

    @Test
    void anHttpVaultUrlIsRefused() {
        assertThat(provider.validate(config("vaultUrl", "http://my-vault.vault.azure.net"), context()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("stores.kv.vaultUrl");
                    assertThat(p.message()).contains("must use https");
                });
    }

    @Test
    void aVaultUrlWithAPathOrNoHostIsRefused() {
        assertThat(provider.validate(config("vaultUrl", URL + "/secrets/x"), context()))
                .extracting(ConfigProblem::message).singleElement().asString().contains("base URL alone");
        assertThat(provider.validate(config("vaultUrl", "https:///nohost"), context()))
                .extracting(ConfigProblem::field).contains("stores.kv.vaultUrl");
        assertThat(provider.validate(config("vaultUrl", "not a url"), context()))
                .extracting(ConfigProblem::message).singleElement().asString().contains("not a URL");
    }

    @Test
    void clientSecretCredentialsNeedTenantClientAndTheVariableNameAllReportedAtOnce() {
        assertThat(provider.validate(config("vaultUrl", URL, "credential", "client-secret"), context()))
                .extracting(ConfigProblem::field)
                .containsExactly("stores.kv.tenantId", "stores.kv.clientId", "stores.kv.clientSecretEnv");
    }

    @Test
    void everyProblemIsReportedAtOnceNamingItsField() {
        assertThat(provider.validate(config("vaultUrl", "http://x", "credential", "password", "connectTimeout", "PT0S",
                "requestTimeout", "-PT1S", "maxRetries", 11, "pollInterval", "PT0S"), context()))
                .extracting(ConfigProblem::field)
                .containsExactly("stores.kv.vaultUrl", "stores.kv.credential", "stores.kv.connectTimeout",
                        "stores.kv.requestTimeout", "stores.kv.pollInterval", "stores.kv.maxRetries");
    }

    @Test
    void anUnknownCredentialKindListsTheKnownOnes() {
        assertThat(provider.validate(config("vaultUrl", URL, "credential", "password"), context()))
                .extracting(ConfigProblem::message).singleElement().asString()
                .contains("'password'").contains("default, client-secret");
    }

    @Test
    void aBadEnvironmentVariableNameOrAMisplacedOneIsNamed() {
        assertThat(provider.validate(config("vaultUrl", URL, "credential", "client-secret", "tenantId", TENANT,
                "clientId", CLIENT, "clientSecretEnv", "1-BAD"), context()))
                .extracting(ConfigProblem::toString).singleElement().asString()
                .startsWith("stores.kv.clientSecretEnv:").contains("not an environment variable name");
        assertThat(provider.validate(config("vaultUrl", URL, "clientSecretEnv", "X"), context()))
                .extracting(ConfigProblem::toString).singleElement().asString()
                .isEqualTo("stores.kv.clientSecretEnv: is only used with credential: client-secret");
    }

    @Test
    void theClientSecretIsNeverASettingAndUnknownSettingsAreNamed() {
        assertThat(provider.validate(config("vaultUrl", URL, "clientSecret", "s3cr3t-value"), context()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("stores.kv.clientSecret");
                    assertThat(p.message()).contains("unknown setting").contains("clientSecretEnv").doesNotContain("s3cr3t-value");
                });
    }

    @Test
    void aWrongTypeIsNamed() {
        assertThat(provider.validate(config("vaultUrl", URL, "maxRetries", "many"), context()))
                .extracting(ConfigProblem::field).containsExactly("stores.kv.maxRetries");
    }

    @Test
    void openNamesAnUnsetClientSecretVariable() {
        StoreConfig c = config("vaultUrl", URL, "credential", "client-secret", "tenantId", TENANT, "clientId", CLIENT,
                "clientSecretEnv", "KV_CLIENT_SECRET");

        assertThatThrownBy(() -> provider.open(c, context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.kv.clientSecretEnv")
                .hasMessageContaining("KV_CLIENT_SECRET is not set");
    }

    @Test
    void openRefusesAnInvalidConfigurationListingEveryProblem() {
        assertThatThrownBy(() -> provider.open(config("vaultUrl", "http://x", "maxRetries", -1), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("stores.kv.vaultUrl", "stores.kv.maxRetries"));
    }

    @Test
    void openBuildsAStoreWithoutContactingTheVault() {
        env.put("KV_CLIENT_SECRET", "not-a-real-secret");
        StoreConfig c = config("vaultUrl", URL + "/", "credential", "client-secret", "tenantId", TENANT, "clientId", CLIENT,
                "clientSecretEnv", "KV_CLIENT_SECRET");

        try (SecretStore store = provider.open(c, context())) {
            assertThat(store.name()).isEqualTo("kv");
            assertThat(store).isInstanceOf(AzureSecretStore.class);
            assertThat(((AzureSecretStore) store).vaultUrl()).isEqualTo(URL);
            assertThat(store.toString()).contains("kv").contains(URL).doesNotContain("not-a-real-secret");
        }
        try (SecretStore store = provider.open(config("vaultUrl", URL), context())) {
            assertThat(store.capabilities()).isEqualTo(AzureSecretStore.CAPABILITIES);
        }
    }

    @Test
    void theRegistryNamesAnUnknownStoreType() {
        ProviderRegistry registry = ProviderRegistry.builder().register(provider).build();

        assertThatThrownBy(() -> registry.open(new StoreConfig("kv", "azure-keyvault", Map.of("vaultUrl", URL)), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.kv.type")
                .hasMessageContaining("unknown store type 'azure-keyvault'")
                .hasMessageContaining("azure");
    }
}
