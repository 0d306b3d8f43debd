package dev.rotor.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import java.time.Clock;
import java.time.Duration;

/** Clients and stores on a {@link FakeKeyVaultServer}, through the real Azure SDK client. */
final class FakeVault {

    private FakeVault() {}

    static HttpClient httpClient(FakeKeyVaultServer server) {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(server.clientSslContext()))
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** A plain SDK client, as any reader of the vault would build it (plus trust in the fake's certificate). */
    static SecretClient client(FakeKeyVaultServer server, TokenCredential credential) {
        return configure(new SecretClientBuilder(), server, credential).buildClient();
    }

    /** Points a builder at the fake: its HTTP client, a credential, no challenge resource check (the fake is 127.0.0.1). */
    static SecretClientBuilder configure(SecretClientBuilder builder, FakeKeyVaultServer server, TokenCredential credential) {
        return builder.vaultUrl(server.vaultUrl())
                .credential(credential)
                .httpClient(httpClient(server))
                .retryOptions(AzureStoreProvider.retryOptions(0))
                .disableChallengeResourceVerification();
    }

    static AzureSecretStore store(String name, FakeKeyVaultServer server) {
        return store(name, server, AzureStoreSettings.of(server.vaultUrl()), MoveLocks.SHARED);
    }

    static AzureSecretStore store(String name, FakeKeyVaultServer server, AzureStoreSettings settings, MoveLocks locks) {
        return store(name, server, settings, locks, new StaticTokenCredential(server.token()));
    }

    /** A store as the provider builds it (with its pipeline policy), on the fake, with the given credential. */
    static AzureSecretStore store(String name, FakeKeyVaultServer server, AzureStoreSettings settings, MoveLocks locks,
            TokenCredential credential) {
        SecretClient client = configure(new SecretClientBuilder(), server, credential)
                .addPolicy(new ContentLengthPolicy())
                .buildClient();
        return new AzureSecretStore(name, client, settings.withPollInterval(Duration.ofMillis(20)), Clock.systemUTC(), locks);
    }
}
