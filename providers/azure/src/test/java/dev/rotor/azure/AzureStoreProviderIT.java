package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AccessDeniedException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stores opened from configuration through the provider, on the fake vault. */
class AzureStoreProviderIT {

    private static FakeKeyVaultServer server;

    @BeforeAll
    static void start() {
        server = FakeKeyVaultServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ProviderRegistry registry(String token) {
        // what a deployment configures stays as configured; only the TLS trust and the token point at the fake
        AzureStoreProvider provider = new AzureStoreProvider(builder -> builder
                .httpClient(FakeVault.httpClient(server))
                .credential(new StaticTokenCredential(token))
                .disableChallengeResourceVerification());
        return ProviderRegistry.builder().register(provider).build();
    }

    private static StoreConfig config(Object... extra) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("vaultUrl", server.vaultUrl() + "/");
        for (int i = 0; i < extra.length; i += 2) {
            settings.put((String) extra[i], extra[i + 1]);
        }
        return new StoreConfig("kv", "azure", settings);
    }

    private static StoreContext context() {
        return new StoreContext(Clock.systemUTC(), name -> null, Path.of("."));
    }

    @Test
    void aConfiguredStoreWritesAndReads() {
        try (SecretStore store = registry(server.token()).open(config(), context())) {
            store.put("provider/db", SecretValue.ofFields(Map.of("password", "p")), PutOptions.current());

            assertThat(store.get("provider/db").value().field("password").asUtf8()).isEqualTo("p");
            assertThat(store.health().up()).isTrue();
            store.delete("provider/db");
        }
    }

    @Test
    void wrongCredentialsGiveAClearErrorAndHealthDown() {
        try (SecretStore store = registry("a-token-nobody-issued").open(config(), context())) {
            assertThatThrownBy(() -> store.get("provider/x"))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("store 'kv'")
                    .hasMessageContaining("provider/x")
                    .hasMessageContaining("rejected the credentials")
                    .hasMessageNotContaining("a-token-nobody-issued");
            assertThat(store.health().up()).isFalse();
        }
    }

    @Test
    void sdkRetriesAreOffByDefaultAndFollowMaxRetries() {
        try (SecretStore noRetry = registry(server.token()).open(config(), context());
                SecretStore retrying = registry(server.token()).open(config("maxRetries", 2), context())) {
            noRetry.health();
            server.failNext(1, 429, "Throttled", Duration.ZERO);
            assertThatThrownBy(() -> noRetry.list("")).isInstanceOf(ProviderUnavailableException.class);

            server.clearRequests();
            server.failNext(2, 503, "ServiceUnavailable", Duration.ZERO);
            assertThat(retrying.list("nothing/")).isEmpty();
            assertThat(server.requests()).as("two failures, then the answer").hasSize(3);
        }
    }
}
