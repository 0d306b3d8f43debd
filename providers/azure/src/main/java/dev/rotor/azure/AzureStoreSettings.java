package dev.rotor.azure;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an {@code azure} store under {@code stores.<name>} in {@code rotor.yaml}. Every
 * field may be left out except {@code vaultUrl}; the accessors named {@code effective...} give the
 * defaults. {@link AzureStoreProvider#validate} checks them all at once.
 *
 * @param vaultUrl the vault, {@code https://<vault-name>.vault.azure.net} (required)
 * @param credential {@value #CREDENTIAL_DEFAULT} (DefaultAzureCredential: environment, workload
 *     identity, managed identity, Azure CLI, ...) or {@value #CREDENTIAL_CLIENT_SECRET} (a service
 *     principal); default {@value #CREDENTIAL_DEFAULT}
 * @param tenantId the Entra ID tenant; required for {@code client-secret}, optional for
 *     {@code default}
 * @param clientId the application (client) id; required for {@code client-secret}; for
 *     {@code default} the client id of a user-assigned managed identity or workload identity
 * @param clientSecretEnv the environment variable holding the client secret, for
 *     {@code client-secret}; the secret itself is never written in the configuration
 * @param connectTimeout how long to wait for a connection; default 10 s
 * @param requestTimeout how long to wait for an answer; default 30 s
 * @param maxRetries how often the Azure SDK itself retries a throttled or failed request (its
 *     exponential backoff honours Retry-After); default 0, as Rotor's retry decorator does this
 *     once for the whole operation
 * @param recoverDeleted when a put finds its name held by a soft-deleted secret: {@code true}
 *     recovers the deleted secret (with its old versions) and writes the new version on top;
 *     {@code false} (default) fails with {@link DeletedSecretException}
 * @param purgeOnDelete whether {@code delete} also purges the soft-deleted secret so its name
 *     can be used again at once; default {@code true}. Where purging is not allowed (purge
 *     protection, or no purge permission) the secret stays soft-deleted and a warning is logged
 * @param deleteTimeout how long {@code delete} waits for Azure to finish deleting and purging;
 *     default 60 s
 * @param pollInterval how often it checks meanwhile; default 1 s
 */
public record AzureStoreSettings(
        @Nullable String vaultUrl,
        @Nullable String credential,
        @Nullable String tenantId,
        @Nullable String clientId,
        @Nullable String clientSecretEnv,
        @Nullable Duration connectTimeout,
        @Nullable Duration requestTimeout,
        @Nullable Integer maxRetries,
        @Nullable Boolean recoverDeleted,
        @Nullable Boolean purgeOnDelete,
        @Nullable Duration deleteTimeout,
        @Nullable Duration pollInterval) {

    public static final String CREDENTIAL_DEFAULT = "default";
    public static final String CREDENTIAL_CLIENT_SECRET = "client-secret";

    /** Settings with only the vault URL; everything else at its default. */
    public static AzureStoreSettings of(String vaultUrl) {
        return new AzureStoreSettings(vaultUrl, null, null, null, null, null, null, null, null, null, null, null);
    }

    public String effectiveCredential() {
        return credential == null ? CREDENTIAL_DEFAULT : credential;
    }

    public Duration effectiveConnectTimeout() {
        return connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
    }

    public Duration effectiveRequestTimeout() {
        return requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
    }

    public int effectiveMaxRetries() {
        return maxRetries == null ? 0 : maxRetries;
    }

    public boolean effectiveRecoverDeleted() {
        return recoverDeleted != null && recoverDeleted;
    }

    public boolean effectivePurgeOnDelete() {
        return purgeOnDelete == null || purgeOnDelete;
    }

    public Duration effectiveDeleteTimeout() {
        return deleteTimeout == null ? Duration.ofSeconds(60) : deleteTimeout;
    }

    public Duration effectivePollInterval() {
        return pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    }

    public AzureStoreSettings withRecoverDeleted(boolean recover) {
        return new AzureStoreSettings(vaultUrl, credential, tenantId, clientId, clientSecretEnv, connectTimeout,
                requestTimeout, maxRetries, recover, purgeOnDelete, deleteTimeout, pollInterval);
    }

    public AzureStoreSettings withPurgeOnDelete(boolean purge) {
        return new AzureStoreSettings(vaultUrl, credential, tenantId, clientId, clientSecretEnv, connectTimeout,
                requestTimeout, maxRetries, recoverDeleted, purge, deleteTimeout, pollInterval);
    }

    public AzureStoreSettings withPollInterval(Duration interval) {
        return new AzureStoreSettings(vaultUrl, credential, tenantId, clientId, clientSecretEnv, connectTimeout,
                requestTimeout, maxRetries, recoverDeleted, purgeOnDelete, deleteTimeout, interval);
    }
}
