package dev.rotor.vault;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@code vault} store under {@code stores.<name>} in {@code rotor.yaml}. Every
 * field is optional except {@code address}; {@link VaultStoreProvider#validate} names each bad one.
 *
 * <pre>{@code
 * stores:
 *   vault:
 *     type: vault
 *     address: https://vault.example.com:8200   # required
 *     mount: secret                             # KV v2 mount, default "secret"
 *     pathPrefix: apps/billing                  # where this store's secrets live under the mount
 *     namespace: team-a                         # Vault Enterprise / OpenBao namespace
 *     auth:
 *       method: approle                         # token (default) | approle | kubernetes
 *       roleId: 5f1c...                         # or roleIdEnv / roleIdFile
 *       secretIdFile: /run/secrets/secret-id    # or secretIdEnv
 *     tls:
 *       caCertFile: /etc/ssl/vault-ca.pem
 *     connectTimeout: PT5S
 *     readTimeout: PT30S
 *     maxVersions: 20                           # Rotor versions kept per secret
 * }</pre>
 *
 * No credential is ever written inline: tokens, secret ids and JWTs come from environment variables
 * or files, read at each login so that a rotated file is picked up.
 */
public record VaultStoreSettings(
        @Nullable String address,
        @Nullable String mount,
        @Nullable String pathPrefix,
        @Nullable String namespace,
        @Nullable Auth auth,
        @Nullable Tls tls,
        @Nullable Duration connectTimeout,
        @Nullable Duration readTimeout,
        @Nullable Integer maxVersions) {

    public static final String DEFAULT_MOUNT = "secret";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_VERSIONS = 20;
    public static final int MAX_MAX_VERSIONS = 200;

    public String effectiveMount() {
        return mount == null ? DEFAULT_MOUNT : mount;
    }

    public String effectivePathPrefix() {
        return pathPrefix == null ? "" : pathPrefix;
    }

    public Auth effectiveAuth() {
        return auth == null ? new Auth(null, null, null, null, null, null, null, null, null, null, null) : auth;
    }

    public Tls effectiveTls() {
        return tls == null ? new Tls(null, null, null) : tls;
    }

    public Duration effectiveConnectTimeout() {
        return connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
    }

    public Duration effectiveReadTimeout() {
        return readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout;
    }

    public int effectiveMaxVersions() {
        return maxVersions == null ? DEFAULT_MAX_VERSIONS : maxVersions;
    }

    /**
     * How the store logs in.
     *
     * @param method {@code token} (default), {@code approle} or {@code kubernetes}
     * @param tokenEnv token: the environment variable holding the token (default {@code VAULT_TOKEN})
     * @param tokenFile token: a file holding the token (e.g. written by Vault Agent)
     * @param roleId approle: the role id (not a credential on its own)
     * @param roleIdEnv approle: the environment variable holding the role id
     * @param roleIdFile approle: a file holding the role id
     * @param secretIdEnv approle: the environment variable holding the secret id
     * @param secretIdFile approle: a file holding the secret id
     * @param role kubernetes: the Vault role to log in as
     * @param jwtFile kubernetes: the service-account token file (default {@value #DEFAULT_JWT_FILE})
     * @param mount approle/kubernetes: the auth mount (default {@code approle} or {@code kubernetes})
     */
    public record Auth(
            @Nullable String method,
            @Nullable String tokenEnv,
            @Nullable String tokenFile,
            @Nullable String roleId,
            @Nullable String roleIdEnv,
            @Nullable String roleIdFile,
            @Nullable String secretIdEnv,
            @Nullable String secretIdFile,
            @Nullable String role,
            @Nullable String jwtFile,
            @Nullable String mount) {

        public static final String TOKEN = "token";
        public static final String APPROLE = "approle";
        public static final String KUBERNETES = "kubernetes";
        public static final String DEFAULT_TOKEN_ENV = "VAULT_TOKEN";
        public static final String DEFAULT_JWT_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

        public String effectiveMethod() {
            return method == null ? TOKEN : method;
        }

        public String effectiveMount() {
            if (mount != null) {
                return mount;
            }
            return KUBERNETES.equals(effectiveMethod()) ? KUBERNETES : APPROLE;
        }

        public String effectiveJwtFile() {
            return jwtFile == null ? DEFAULT_JWT_FILE : jwtFile;
        }
    }

    /**
     * TLS towards Vault.
     *
     * @param caCertFile PEM file with the CA certificate(s) to trust instead of the JDK's defaults
     * @param verify whether to verify the server's certificate and host name (default true)
     * @param allowInsecure must be true for {@code verify: false} to be accepted
     */
    public record Tls(@Nullable String caCertFile, @Nullable Boolean verify, @Nullable Boolean allowInsecure) {

        public boolean effectiveVerify() {
            return verify == null || verify;
        }
    }
}
