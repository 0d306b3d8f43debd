package dev.rotor.rotator.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the tests do to Keycloak besides rotating: set up realms, clients, roles and policies as an
 * operator would, and look at the result (which secret a client has, whether a secret gets a token).
 * It logs in as the bootstrap administrator with the password grant of {@code admin-cli}.
 */
final class KeycloakTestAdmin {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    KeycloakTestAdmin(URI server) {
        this.server = server;
    }

    URI server() {
        return server;
    }

    // ------------------------------------------------------------ set-up

    void createRealm(String realm) {
        ObjectNode r = JSON.createObjectNode().put("realm", realm).put("enabled", true);
        expect(201, call("POST", "/admin/realms", r));
    }

    void deleteRealm(String realm) {
        call("DELETE", "/admin/realms/" + realm, null);
    }

    /** A confidential client with {@code secret} (service account on unless told otherwise). */
    String createClient(String realm, String clientId, String secret, boolean serviceAccount) {
        ObjectNode c = JSON.createObjectNode()
                .put("clientId", clientId)
                .put("publicClient", false)
                .put("serviceAccountsEnabled", serviceAccount)
                .put("standardFlowEnabled", false)
                .put("secret", secret);
        expect(201, call("POST", "/admin/realms/" + realm + "/clients", c));
        return clientUuid(realm, clientId);
    }

    String createPublicClient(String realm, String clientId) {
        ObjectNode c = JSON.createObjectNode().put("clientId", clientId).put("publicClient", true);
        expect(201, call("POST", "/admin/realms/" + realm + "/clients", c));
        return clientUuid(realm, clientId);
    }

    /**
     * The rotator's own client in {@code realm}: a confidential client whose service account holds
     * {@code roles} of the realm's {@code realm-management} client.
     */
    void createRotatorClient(String realm, String clientId, String secret, String... roles) {
        createClient(realm, clientId, secret, true);
        grantRealmManagementRoles(realm, clientId, roles);
    }

    void grantRealmManagementRoles(String realm, String clientId, String... roles) {
        if (roles.length == 0) {
            return;
        }
        String uuid = clientUuid(realm, clientId);
        String userId = json(expect(200, call("GET", "/admin/realms/" + realm + "/clients/" + uuid + "/service-account-user", null)))
                .path("id").asText();
        String rm = clientUuid(realm, "realm-management");
        ArrayNode mapped = JSON.createArrayNode();
        for (String role : roles) {
            mapped.add(json(expect(200, call("GET", "/admin/realms/" + realm + "/clients/" + rm + "/roles/" + role, null))));
        }
        expect(204, call("POST", "/admin/realms/" + realm + "/users/" + userId + "/role-mappings/clients/" + rm, mapped));
    }

    /**
     * Turns on Keycloak's client-secret rotation for the confidential clients of {@code realm}
     * (or only for those matching {@code conditions}): a profile with a {@code secret-rotation}
     * executor and a policy using it.
     */
    void enableSecretRotationPolicy(String realm, Duration rotatedExpiration, Duration expiration) {
        enableSecretRotationPolicy(realm, rotatedExpiration, expiration,
                List.of(Map.of("condition", "client-access-type", "configuration", Map.of("type", List.of("confidential")))));
    }

    void enableSecretRotationPolicy(String realm, Duration rotatedExpiration, Duration expiration, List<Map<String, Object>> conditions) {
        ObjectNode executorConfig = JSON.createObjectNode()
                .put("expiration-period", Long.toString(expiration.toSeconds()))
                .put("rotated-expiration-period", Long.toString(rotatedExpiration.toSeconds()))
                .put("remaining-rotation-period", Long.toString(Math.min(expiration.toSeconds(), Duration.ofDays(10).toSeconds())));
        ObjectNode profile = JSON.createObjectNode().put("name", "rotation").put("description", "");
        profile.putArray("executors").addObject().put("executor", "secret-rotation").set("configuration", executorConfig);
        ObjectNode profiles = JSON.createObjectNode();
        profiles.putArray("profiles").add(profile);
        expect(204, call("PUT", "/admin/realms/" + realm + "/client-policies/profiles", profiles));

        ObjectNode policy = JSON.createObjectNode().put("name", "rotation-policy").put("description", "").put("enabled", true);
        policy.set("conditions", JSON.valueToTree(conditions));
        policy.putArray("profiles").add("rotation");
        ObjectNode policies = JSON.createObjectNode();
        policies.putArray("policies").add(policy);
        expect(204, call("PUT", "/admin/realms/" + realm + "/client-policies/policies", policies));
    }

    void setSecret(String realm, String clientId, String secret) {
        expect(204, call("PUT", "/admin/realms/" + realm + "/clients/" + clientUuid(realm, clientId),
                JSON.createObjectNode().put("secret", secret)));
    }

    /** Regenerates through the admin API, as an operator's "Regenerate" button does; returns the new secret. */
    String regenerate(String realm, String clientId) {
        return json(expect(200, call("POST", "/admin/realms/" + realm + "/clients/" + clientUuid(realm, clientId) + "/client-secret",
                JSON.createObjectNode()))).path("value").asText();
    }

    // ------------------------------------------------------------ looking

    String clientUuid(String realm, String clientId) {
        JsonNode list = json(expect(200, call("GET", "/admin/realms/" + realm + "/clients?search=false&clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null)));
        for (JsonNode c : list) {
            if (clientId.equals(c.path("clientId").asText())) {
                return c.path("id").asText();
            }
        }
        throw new IllegalStateException("no client " + clientId + " in realm " + realm);
    }

    String secret(String realm, String clientId) {
        return json(expect(200, call("GET", "/admin/realms/" + realm + "/clients/" + clientUuid(realm, clientId) + "/client-secret", null)))
                .path("value").asText();
    }

    Optional<String> rotatedSecret(String realm, String clientId) {
        HttpResponse<String> r = call("GET", "/admin/realms/" + realm + "/clients/" + clientUuid(realm, clientId) + "/client-secret/rotated", null);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(json(expect(200, r)).path("value").asText());
    }

    /** True if a client-credentials token request with these credentials gets a token. */
    boolean tokenWorks(String realm, String clientId, String secret) {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.resolve("/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
        return r.statusCode() == 200 && json(r).hasNonNull("access_token");
    }

    // ------------------------------------------------------------ plumbing

    private String adminToken() {
        String form = "grant_type=password&client_id=admin-cli&username=" + KeycloakPeer.ADMIN_USER + "&password=" + KeycloakPeer.ADMIN_PASSWORD;
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.resolve("/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
        return json(expect(200, r)).path("access_token").asText();
    }

    private HttpResponse<String> call(String method, String path, @Nullable JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).header("Authorization", "Bearer " + adminToken());
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return send(b.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak did not answer " + request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.request().uri().getPath() + ": expected HTTP " + status
                    + ", got " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + r.body(), e);
        }
    }

}
