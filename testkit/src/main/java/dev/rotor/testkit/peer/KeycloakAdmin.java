package dev.rotor.testkit.peer;

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
 * Keycloak's admin REST API as a test sets a server up: realms and confidential clients as an
 * operator would make them, plus the plumbing ({@link #call}, {@link #expect}, {@link #json}) for
 * what a module's tests do beyond that. It logs in as the {@link KeycloakPeer} bootstrap
 * administrator with the password grant of {@code admin-cli}, anew for every call.
 *
 * <p>Thread-safe: it keeps no state besides the server's address and an {@link HttpClient}.
 */
public class KeycloakAdmin {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    public KeycloakAdmin(URI server) {
        this.server = server;
    }

    public final URI server() {
        return server;
    }

    public final void createRealm(String realm) {
        expect(201, call("POST", "/admin/realms", JSON.createObjectNode().put("realm", realm).put("enabled", true)));
    }

    public final void deleteRealm(String realm) {
        call("DELETE", "/admin/realms/" + realm, null);
    }

    /** A confidential client with {@code secret}, with a service account if told; returns its id (UUID). */
    public final String createClient(String realm, String clientId, String secret, boolean serviceAccount) {
        ObjectNode c = JSON.createObjectNode()
                .put("clientId", clientId)
                .put("publicClient", false)
                .put("serviceAccountsEnabled", serviceAccount)
                .put("standardFlowEnabled", false)
                .put("secret", secret);
        expect(201, call("POST", "/admin/realms/" + realm + "/clients", c));
        return clientUuid(realm, clientId);
    }

    /** The id (UUID) of the client named {@code clientId}. */
    public final String clientUuid(String realm, String clientId) {
        JsonNode list = json(expect(200, call("GET", "/admin/realms/" + realm + "/clients?search=false&clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null)));
        for (JsonNode c : list) {
            if (clientId.equals(c.path("clientId").asText())) {
                return c.path("id").asText();
            }
        }
        throw new IllegalStateException("no client " + clientId + " in realm " + realm);
    }

    /** Keycloak's answer to a client-credentials token request (any status). */
    public final HttpResponse<String> clientCredentialsToken(String realm, String clientId, String secret) {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(server.resolve("/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    /** An admin REST call on {@code path} as the bootstrap administrator, with a JSON body or none. */
    public final HttpResponse<String> call(String method, String path, @Nullable JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).header("Authorization", "Bearer " + adminToken());
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return send(b.build());
    }

    public final HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak did not answer " + request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code r}, if it has {@code status}; else an exception naming the request and Keycloak's error. */
    public static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.request().uri().getPath() + ": expected HTTP " + status
                    + ", got " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    public static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON from " + r.request().uri().getPath(), e);
        }
    }

    private String adminToken() {
        String form = "grant_type=password&client_id=admin-cli&username=" + KeycloakPeer.ADMIN_USER + "&password=" + KeycloakPeer.ADMIN_PASSWORD;
        HttpResponse<String> r = send(HttpRequest.newBuilder(server.resolve("/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
        return json(expect(200, r)).path("access_token").asText();
    }
}
