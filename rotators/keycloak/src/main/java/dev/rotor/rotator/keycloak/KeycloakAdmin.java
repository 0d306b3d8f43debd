package dev.rotor.rotator.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.SecretValue;
import dev.rotor.rotator.keycloak.KeycloakCallException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few calls of Keycloak's admin REST API and token endpoint that the rotator makes, over the
 * JDK's HTTP client, authenticated by the rotator's own client-credentials token.
 *
 * <p>Request and response bodies carry secrets, so they are never logged and never quoted in an
 * exception; error messages keep only the HTTP status and Keycloak's short error text, with any
 * secret sent in that request cut out.
 *
 * <p>Thread-safe: the HTTP client is, and the token cache shares one fetch among callers.
 */
final class KeycloakAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(KeycloakAdmin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_TEXT = 200;
    /** Roles of the target realm's {@code realm-management} client that the calls need. */
    static final String VIEW_CLIENTS = "view-clients";
    static final String MANAGE_CLIENTS = "manage-clients";
    static final String VIEW_REALM = "view-realm";

    /**
     * A client as the admin API describes it, reduced to what the rotator needs.
     *
     * @param manageable what the answer's {@code access.manage} says the caller may do: true, false,
     *     or null when the server did not say
     */
    record Client(String id, String clientId, boolean enabled, boolean publicClient, boolean bearerOnly,
            @Nullable String authenticatorType, boolean serviceAccountsEnabled, @Nullable Boolean manageable) {

        Client(String id, String clientId, boolean enabled, boolean publicClient, boolean bearerOnly,
                @Nullable String authenticatorType, boolean serviceAccountsEnabled) {
            this(id, clientId, enabled, publicClient, bearerOnly, authenticatorType, serviceAccountsEnabled, null);
        }
    }

    /** How the token endpoint answered a client-credentials request. */
    enum GrantOutcome {
        /** HTTP 200 with an access token: the secret is valid */
        GRANTED,
        /** HTTP 401: the client id or secret was refused */
        REFUSED
    }

    private final URI server;
    private final String realm;
    private final String authRealm;
    private final String authClientId;
    private final Supplier<SecretValue> authSecret;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final ServiceTokenCache tokens;

    KeycloakAdmin(URI server, String realm, String authRealm, String authClientId, Supplier<SecretValue> authSecret,
            HttpClient http, Duration requestTimeout, Duration tokenRefreshMargin, Clock clock) {
        String s = server.toString();
        this.server = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.realm = realm;
        this.authRealm = authRealm;
        this.authClientId = authClientId;
        this.authSecret = authSecret;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.tokens = new ServiceTokenCache(this::fetchOwnToken, clock, tokenRefreshMargin);
    }

    String realm() {
        return realm;
    }

    URI server() {
        return server;
    }

    String authClientId() {
        return authClientId;
    }

    /** Makes sure the rotator holds a token (fetching one if needed). */
    void authenticate() {
        tokens.get();
    }

    /** The client with this {@code clientId}. @throws KeycloakCallException NOT_FOUND if the realm has none */
    Client client(String clientId) {
        String what = "looking up client '" + clientId + "' in realm '" + realm + "'";
        JsonNode list = readJson(what, admin(what, VIEW_CLIENTS, "GET", "/clients?clientId=" + query(clientId) + "&search=false", null));
        for (JsonNode c : list) {
            // search=false is an exact match, but older servers ignore it: compare again
            if (clientId.equals(c.path("clientId").asText(null))) {
                return new Client(
                        c.path("id").asText(),
                        clientId,
                        c.path("enabled").asBoolean(true),
                        c.path("publicClient").asBoolean(false),
                        c.path("bearerOnly").asBoolean(false),
                        c.path("clientAuthenticatorType").asText(null),
                        c.path("serviceAccountsEnabled").asBoolean(false),
                        c.path("access").path("manage").isBoolean() ? c.path("access").path("manage").asBoolean() : null);
            }
        }
        throw new KeycloakCallException(Kind.NOT_FOUND, 200, what + ": realm '" + realm + "' has no client '" + clientId + "'");
    }

    /** The client's current (primary) secret. Needs {@code manage-clients}. */
    SecretValue secret(Client client) {
        String what = "reading the secret of client '" + client.clientId() + "' in realm '" + realm + "'";
        return credentialValue(what, admin(what, MANAGE_CLIENTS, "GET", clientPath(client) + "/client-secret", null));
    }

    /** Lets Keycloak generate a new secret for the client; the value is dropped. */
    void regenerateSecret(Client client) {
        String what = "regenerating the secret of client '" + client.clientId() + "' in realm '" + realm + "'";
        credentialValue(what, admin(what, MANAGE_CLIENTS, "POST", clientPath(client) + "/client-secret", new byte[0])).destroy();
    }

    /** Sets the client's secret to {@code secret} (a partial update: nothing else of the client changes). */
    void setSecret(Client client, SecretValue secret) {
        String what = "setting the secret of client '" + client.clientId() + "' in realm '" + realm + "'";
        ObjectNode body = JSON.createObjectNode();
        body.put("secret", secret.asUtf8());
        byte[] bytes = toBytes(body);
        try {
            admin(what, MANAGE_CLIENTS, "PUT", clientPath(client), bytes, secret);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The rotated secret that Keycloak's rotation policy keeps valid for a grace period, if there is one. */
    Optional<SecretValue> rotatedSecret(Client client) {
        String what = "reading the rotated secret of client '" + client.clientId() + "' in realm '" + realm + "'";
        try {
            return Optional.of(credentialValue(what, admin(what, MANAGE_CLIENTS, "GET", clientPath(client) + "/client-secret/rotated", null)));
        } catch (KeycloakCallException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Invalidates the client's rotated secret; doing so when there is none is not an error. */
    void deleteRotatedSecret(Client client) {
        String what = "invalidating the rotated secret of client '" + client.clientId() + "' in realm '" + realm + "'";
        admin(what, MANAGE_CLIENTS, "DELETE", clientPath(client) + "/client-secret/rotated", null);
    }

    /** The realm's client policies, global ones included. Needs {@code view-realm}. */
    JsonNode clientPolicies() {
        String what = "reading the client policies of realm '" + realm + "'";
        return readJson(what, admin(what, VIEW_REALM, "GET", "/client-policies/policies?include-global-policies=true", null));
    }

    /** The realm's client profiles, global ones included. Needs {@code view-realm}. */
    JsonNode clientProfiles() {
        String what = "reading the client profiles of realm '" + realm + "'";
        return readJson(what, admin(what, VIEW_REALM, "GET", "/client-policies/profiles?include-global-profiles=true", null));
    }

    /** Asks the target realm's token endpoint for a client-credentials token with these credentials. */
    GrantOutcome clientCredentials(String clientId, SecretValue secret) {
        String what = "requesting a token for client '" + clientId + "' in realm '" + realm + "'";
        HttpResponse<byte[]> r = tokenRequest(what, realm, clientId, secret);
        try {
            if (r.statusCode() == 200) {
                return GrantOutcome.GRANTED;
            }
            if (r.statusCode() == 401) {
                return GrantOutcome.REFUSED;
            }
            throw failure(what, r, null, secret);
        } finally {
            Arrays.fill(r.body(), (byte) 0);
        }
    }

    private ServiceTokenCache.Grant fetchOwnToken() {
        String what = "getting a token for the rotator's client '" + authClientId + "' in realm '" + authRealm + "'";
        SecretValue secret = authSecret.get();
        try {
            HttpResponse<byte[]> r = tokenRequest(what, authRealm, authClientId, secret);
            if (r.statusCode() == 401 || r.statusCode() == 400) {
                String detail = errorText(r.body(), secret);
                throw new KeycloakCallException(Kind.UNAUTHENTICATED, r.statusCode(), what + ": refused with HTTP " + r.statusCode()
                        + (detail.isEmpty() ? "" : " (" + detail + ")")
                        + ": wrong client id or secret, or the client has no service account");
            }
            if (r.statusCode() != 200) {
                throw failure(what, r, null, secret);
            }
            JsonNode body = readJson(what, r);
            String token = body.path("access_token").asText(null);
            long expiresIn = body.path("expires_in").asLong(60);
            if (token == null || token.isEmpty()) {
                throw new KeycloakCallException(Kind.FAILED, 200, what + ": the answer has no access_token");
            }
            LOG.debug("rotator client '{}' got a token from realm '{}' valid for {} s", authClientId, authRealm, expiresIn);
            return new ServiceTokenCache.Grant(token, Duration.ofSeconds(Math.max(1, expiresIn)));
        } finally {
            secret.destroy();
        }
    }

    private HttpResponse<byte[]> tokenRequest(String what, String inRealm, String clientId, SecretValue secret) {
        String form = "grant_type=client_credentials&client_id=" + query(clientId) + "&client_secret=" + query(secret.asUtf8());
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server + "/realms/" + segment(inRealm) + "/protocol/openid-connect/token"))
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<byte[]> r = send(what, request);
            if (r.statusCode() == 404) {
                throw new KeycloakCallException(Kind.NOT_FOUND, 404, what + ": realm '" + inRealm + "' does not exist (HTTP 404)");
            }
            return r;
        } finally {
            Arrays.fill(body, (byte) 0);
        }
    }

    /**
     * One admin API call with the rotator's token; if Keycloak refuses the token (HTTP 401), the
     * token is dropped and the call made once more with a new one.
     */
    private HttpResponse<byte[]> admin(String what, String role, String method, String path, byte @Nullable [] body,
            SecretValue... sensitive) {
        for (int attempt = 1; ; attempt++) {
            String token = tokens.get();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + "/admin/realms/" + segment(realm) + path))
                    .timeout(requestTimeout)
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json");
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r = send(what, b.build());
            int status = r.statusCode();
            if (status >= 200 && status < 300) {
                return r;
            }
            if (status == 401 && attempt == 1) {
                LOG.debug("Keycloak refused the rotator's token while {}; getting a new one", what);
                tokens.invalidate(token);
                continue;
            }
            throw failure(what, r, role, sensitive);
        }
    }

    private HttpResponse<byte[]> send(String what, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new KeycloakCallException(Kind.UNREACHABLE, 0,
                    what + ": Keycloak at " + server + " is unreachable (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeycloakCallException(Kind.UNREACHABLE, 0, what + ": interrupted", e);
        }
    }

    private KeycloakCallException failure(String what, HttpResponse<byte[]> r, @Nullable String role, SecretValue... sensitive) {
        int status = r.statusCode();
        Kind kind = switch (status) {
            case 401 -> Kind.UNAUTHENTICATED;
            case 403 -> Kind.FORBIDDEN;
            case 404 -> Kind.NOT_FOUND;
            default -> Kind.FAILED;
        };
        String detail = errorText(r.body(), sensitive);
        String hint = switch (kind) {
            case FORBIDDEN -> role == null ? " (forbidden)"
                    : " (the rotator's client '" + authClientId + "' lacks the role '" + role + "' of client 'realm-management' in realm '"
                            + realm + "')";
            case UNAUTHENTICATED -> " (Keycloak refused the rotator's token)";
            default -> "";
        };
        return new KeycloakCallException(kind, status, what + ": HTTP " + status + hint + (detail.isEmpty() ? "" : ": " + detail));
    }

    /** Keycloak's short error text from a JSON error body, secrets of the request cut out; empty if none. */
    static String errorText(byte[] body, SecretValue... sensitive) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return "";
        }
        if (node == null || !node.isObject()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String field : List.of("error", "error_description", "errorMessage")) {
            JsonNode v = node.get(field);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                parts.add(v.asText().strip());
            }
        }
        String text = String.join(": ", parts).replaceAll("[\\r\\n\\t]+", " ");
        for (SecretValue s : sensitive) {
            String secret = s.asUtf8();
            if (!secret.isEmpty()) {
                text = text.replace(secret, "<redacted>");
            }
        }
        return text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) + "..." : text;
    }

    private static SecretValue credentialValue(String what, HttpResponse<byte[]> r) {
        JsonNode node = readJson(what, r);
        JsonNode value = node.get("value");
        if (value == null || !value.isTextual()) {
            throw new KeycloakCallException(Kind.FAILED, r.statusCode(), what + ": the answer holds no secret value");
        }
        return SecretValue.ofUtf8(value.asText());
    }

    private static JsonNode readJson(String what, HttpResponse<byte[]> r) {
        byte[] body = r.body();
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new KeycloakCallException(Kind.FAILED, r.statusCode(), what + ": the answer is empty");
            }
            return node;
        } catch (IOException e) {
            // the parser's message may quote the body: leave it out
            throw new KeycloakCallException(Kind.FAILED, r.statusCode(), what + ": the answer is not JSON");
        } finally {
            Arrays.fill(body, (byte) 0);
        }
    }

    private static byte[] toBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a JSON body", e);
        }
    }

    private static String clientPath(Client client) {
        return "/clients/" + segment(client.id());
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "KeycloakAdmin[" + server + ", realm=" + realm + ", as " + authClientId + "@" + authRealm + "]";
    }
}
