package dev.rotor.api;

import static dev.rotor.testkit.peer.KeycloakAdmin.JSON;
import static dev.rotor.testkit.peer.KeycloakAdmin.expect;
import static dev.rotor.testkit.peer.KeycloakAdmin.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.testkit.peer.KeycloakAdmin;
import java.net.URI;
import java.net.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * Sets up a realm as an operator would for Rotor's API, through Keycloak's admin REST API:
 * client scopes named after Rotor's scopes, each carrying an audience mapper for {@code rotor},
 * and confidential clients with service accounts that get chosen scopes by default.
 */
final class KeycloakRealm {

    private final KeycloakAdmin admin;
    final String realm;

    KeycloakRealm(URI server, String realm) {
        this.admin = new KeycloakAdmin(server);
        this.realm = realm;
        admin.createRealm(realm);
    }

    URI issuer() {
        return admin.server().resolve("/realms/" + realm);
    }

    /** A client scope {@code name} that appears in the token's scope claim and adds {@code audience} to aud. */
    String clientScope(String name, @Nullable String audience) {
        ObjectNode scope = JSON.createObjectNode().put("name", name).put("protocol", "openid-connect");
        scope.putObject("attributes").put("include.in.token.scope", "true").put("display.on.consent.screen", "false");
        if (audience != null) {
            ObjectNode mapper = scope.putArray("protocolMappers").addObject()
                    .put("name", name + "-audience").put("protocol", "openid-connect").put("protocolMapper", "oidc-audience-mapper");
            mapper.putObject("config").put("included.custom.audience", audience).put("access.token.claim", "true")
                    .put("id.token.claim", "false");
        }
        expect(201, admin.call("POST", "/admin/realms/" + realm + "/client-scopes", scope));
        for (JsonNode s : json(expect(200, admin.call("GET", "/admin/realms/" + realm + "/client-scopes", null)))) {
            if (name.equals(s.path("name").asText())) {
                return s.path("id").asText();
            }
        }
        throw new IllegalStateException("client scope " + name + " not found after creating it");
    }

    /** A confidential client with a service account, given {@code scopeIds} as default client scopes. */
    void client(String clientId, String secret, String... scopeIds) {
        String uuid = admin.createClient(realm, clientId, secret, true);
        for (String scopeId : scopeIds) {
            expect(204, admin.call("PUT", "/admin/realms/" + realm + "/clients/" + uuid + "/default-client-scopes/" + scopeId, null));
        }
    }

    /** A client-credentials access token. */
    String token(String clientId, String secret) {
        return json(expect(200, admin.clientCredentialsToken(realm, clientId, secret))).path("access_token").asText();
    }

    /** The realm's JWKS as JSON. */
    String jwks() {
        return expect(200, admin.send(HttpRequest.newBuilder(admin.server().resolve("/realms/" + realm + "/protocol/openid-connect/certs"))
                .GET().build())).body();
    }

    void delete() {
        admin.deleteRealm(realm);
    }
}
