package dev.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Sets up a realm as an operator would for Rotor's API, through Keycloak's admin REST API:
 * client scopes named after Rotor's scopes, each carrying an audience mapper for {@code rotor},
 * and confidential clients with service accounts that get chosen scopes by default.
 */
final class KeycloakRealm {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI server;
    final String realm;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    KeycloakRealm(URI server, String realm) {
        this.server = server;
        this.realm = realm;
        expect(201, call("POST", "/admin/realms", JSON.createObjectNode().put("realm", realm).put("enabled", true)));
    }

    URI issuer() {
        return server.resolve("/realms/" + realm);
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
        expect(201, call("POST", "/admin/realms/" + realm + "/client-scopes", scope));
        for (JsonNode s : json(expect(200, call("GET", "/admin/realms/" + realm + "/client-scopes", null)))) {
            if (name.equals(s.path("name").asText())) {
                return s.path("id").asText();
            }
        }
        throw new IllegalStateException("client scope " + name + " not found after creating it");
    }

    /** A confidential client with a service account, given {@code scopeIds} as default client scopes. */
    void client(String clientId, String secret, String... scopeIds) {
        ObjectNode c = JSON.createObjectNode().put("clientId", clientId).put("publicClient", false)
                .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false).put("secret", secret);
        expect(201, call("POST", "/admin/realms/" + realm + "/clients", c));
        String uuid = null;
        for (JsonNode n : json(expect(200, call("GET", "/admin/realms/" + realm + "/clients?clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null)))) {
            uuid = n.path("id").asText();
        }
        for (String scopeId : scopeIds) {
            expect(204, call("PUT", "/admin/realms/" + realm + "/clients/" + uuid + "/default-client-scopes/" + scopeId, null));
        }
    }

    /** A client-credentials access token. */
    String token(String clientId, String secret) {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.resolve("/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        return json(expect(200, r)).path("access_token").asText();
    }

    /** The realm's JWKS as JSON. */
    String jwks() {
        return expect(200, send(HttpRequest.newBuilder(server.resolve("/realms/" + realm + "/protocol/openid-connect/certs")).GET().build())).body();
    }

    void delete() {
        call("DELETE", "/admin/realms/" + realm, null);
    }

    private String adminToken() {
        String form = "grant_type=password&client_id=admin-cli&username=" + KeycloakPeer.ADMIN_USER + "&password=" + KeycloakPeer.ADMIN_PASSWORD;
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.resolve("/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
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
                    + ", got " + r.statusCode());
        }
        return r;
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON from " + r.request().uri().getPath(), e);
        }
    }
}
