package dev.rotor.rotator.keycloak;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@code keycloak-client-secret} rotator as written in configuration; every
 * field may be absent here, and {@link KeycloakClientSecretRotator#fromSettings} names each missing
 * or bad one.
 *
 * <pre>{@code
 * type: keycloak-client-secret
 * serverUrl: https://sso.example.com        # required; Keycloak's base URL (no /realms, no /admin)
 * realm: apps                               # required; the realm of the clients rotated
 * strategy: auto                            # auto (default) | dual-secret | alternating
 * clients: [billing, billing-b]             # required; one client, or two for alternating
 * auth:                                     # the rotator's own confidential client
 *   realm: apps                             # default: realm
 *   clientId: rotor                         # required
 *   clientSecretEnv: ROTOR_KEYCLOAK_SECRET  # or clientSecretFile: /run/secrets/rotor-keycloak
 *                                           # or secret: secret://vault/rotor/keycloak#clientSecret
 * secretLength: 40                          # characters of each new client secret (24 to 255)
 * connectTimeout: PT5S
 * requestTimeout: PT30S
 * tokenRefreshMargin: PT30S                 # fetch a new own token this long before it expires
 * }</pre>
 *
 * The rotator's own client secret is never written inline: it comes from an environment variable,
 * a file or a secret in one of Rotor's stores, read each time a token is fetched, so that a rotated
 * one is picked up.
 *
 * @param serverUrl Keycloak's base URL, e.g. {@code https://sso.example.com}
 * @param realm the realm holding the clients whose secrets are rotated
 * @param strategy {@code auto}, {@code dual-secret} or {@code alternating} (see {@link KeycloakStrategy})
 * @param clients the client ids ({@code clientId}, not the internal id): one, or two for alternating
 * @param auth how the rotator authenticates itself
 * @param secretLength how many characters a new client secret has
 * @param connectTimeout how long a connection to Keycloak may take
 * @param requestTimeout how long one request to Keycloak may take
 * @param tokenRefreshMargin how long before its expiry the rotator's own token is replaced
 */
public record KeycloakRotatorSettings(
        @Nullable String serverUrl,
        @Nullable String realm,
        @Nullable String strategy,
        @Nullable List<String> clients,
        @Nullable Auth auth,
        @Nullable Integer secretLength,
        @Nullable Duration connectTimeout,
        @Nullable Duration requestTimeout,
        @Nullable Duration tokenRefreshMargin) {

    /**
     * The rotator's own client: a confidential client with a service account that holds the
     * {@code manage-clients} role of the target realm's {@code realm-management} client (and
     * {@code view-realm} to read the realm's client policies for {@code dual-secret}/{@code auto}).
     *
     * @param realm the realm of the rotator's client; the target realm when absent
     * @param clientId the rotator's client id
     * @param clientSecretEnv the environment variable holding the rotator's client secret
     * @param clientSecretFile a file holding the rotator's client secret (surrounding white space is ignored)
     * @param secret a secret ref ({@code secret://<store>/<path>[#<field>]}) whose CURRENT version holds the
     *     rotator's client secret, in the named field or, without one, in the field {@code clientSecret}
     */
    public record Auth(
            @Nullable String realm,
            @Nullable String clientId,
            @Nullable String clientSecretEnv,
            @Nullable String clientSecretFile,
            @Nullable String secret) {

        /** Without a secret ref. */
        public Auth(@Nullable String realm, @Nullable String clientId, @Nullable String clientSecretEnv, @Nullable String clientSecretFile) {
            this(realm, clientId, clientSecretEnv, clientSecretFile, null);
        }
    }
}
