package dev.rotor.rotator.keycloak;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.testkit.peer.KeycloakAdmin;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the rotator's tests do to Keycloak besides rotating: set up clients, roles and policies as an
 * operator would, and look at the result (which secret a client has, whether a secret gets a token).
 * Realms, confidential clients and the admin REST plumbing come from {@link KeycloakAdmin}.
 */
final class KeycloakTestAdmin extends KeycloakAdmin {

    /**
     * The Keycloak feature the server of these tests runs with, so that the dual-secret strategy
     * can be tested; a realm has the rotation policy only when a test configures it.
     */
    static final String SECRET_ROTATION_FEATURE = "client-secret-rotation";

    KeycloakTestAdmin(URI server) {
        super(server);
    }

    // ------------------------------------------------------------ set-up

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
        HttpResponse<String> r = clientCredentialsToken(realm, clientId, secret);
        return r.statusCode() == 200 && json(r).hasNonNull("access_token");
    }
}
