package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.SecretValue;
import dev.rotor.rotator.keycloak.KeycloakCallException.Kind;
import dev.rotor.testkit.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP layer against a fake of the few Keycloak endpoints it calls, for answers the real
 * server gives only in states that are hard to set up (a token refused mid-run, odd error bodies).
 * The behaviour the rotator relies on is tested against the real Keycloak in the {@code *IT} classes.
 */
class KeycloakAdminTest {

    private HttpServer server;
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final List<String> adminCalls = new CopyOnWriteArrayList<>();
    private volatile Function<HttpExchange, Answer> tokenAnswer = x -> new Answer(200,
            "{\"access_token\":\"t" + tokensIssued.incrementAndGet() + "\",\"expires_in\":300}");
    private volatile Function<HttpExchange, Answer> adminAnswer = x -> new Answer(200, "{\"type\":\"secret\",\"value\":\"s\"}");

    private record Answer(int status, String body) {}

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/realms/", x -> answer(x, tokenAnswer.apply(x)));
        server.createContext("/admin/", x -> {
            adminCalls.add(x.getRequestMethod() + " " + x.getRequestURI().getPath() + " " + x.getRequestHeaders().getFirst("Authorization"));
            answer(x, adminAnswer.apply(x));
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(HttpExchange x, Answer a) throws IOException {
        x.getRequestBody().readAllBytes();
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            x.getResponseBody().write(body);
        }
        x.close();
    }

    private KeycloakAdmin admin() {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        return new KeycloakAdmin(uri, "apps", "apps", "rotor", () -> SecretValue.ofUtf8("rotor-secret-canary"),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), Duration.ofSeconds(10), Duration.ofSeconds(30),
                new TestClock(Instant.parse("2030-01-01T00:00:00Z")));
    }

    private static final KeycloakAdmin.Client CLIENT = new KeycloakAdmin.Client("uuid-1", "billing", true, false, false, "client-secret", true);

    @Test
    void aRefusedTokenIsReplacedOnceAndTheCallRepeated() {
        adminAnswer = x -> "Bearer t1".equals(x.getRequestHeaders().getFirst("Authorization"))
                ? new Answer(401, "{\"error\":\"HTTP 401 Unauthorized\"}")
                : new Answer(200, "{\"type\":\"secret\",\"value\":\"s\"}");

        assertThat(admin().secret(CLIENT).asUtf8()).isEqualTo("s");
        assertThat(tokensIssued).hasValue(2);
        assertThat(adminCalls).containsExactly(
                "GET /admin/realms/apps/clients/uuid-1/client-secret Bearer t1",
                "GET /admin/realms/apps/clients/uuid-1/client-secret Bearer t2");
    }

    @Test
    void aSecondRefusalIsNotRetried() {
        adminAnswer = x -> new Answer(401, "{\"error\":\"HTTP 401 Unauthorized\"}");

        assertThatThrownBy(() -> admin().secret(CLIENT))
                .isInstanceOfSatisfying(KeycloakCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAUTHENTICATED))
                .hasMessageContaining("HTTP 401");
        assertThat(adminCalls).hasSize(2);
    }

    @Test
    void theTokenIsReusedAcrossCalls() {
        KeycloakAdmin admin = admin();
        admin.secret(CLIENT);
        admin.regenerateSecret(CLIENT);
        admin.deleteRotatedSecret(CLIENT);
        assertThat(tokensIssued).hasValue(1);
        assertThat(adminCalls).hasSize(3).allSatisfy(c -> assertThat(c).endsWith("Bearer t1"));
    }

    @Test
    void anErrorTextThatQuotesTheSecretSentHasItCutOut() {
        adminAnswer = x -> new Answer(400, "{\"error\":\"invalid_input\",\"errorMessage\":\"secret 'pending-canary-123' is not allowed\"}");

        assertThatThrownBy(() -> admin().setSecret(CLIENT, SecretValue.ofUtf8("pending-canary-123")))
                .isInstanceOfSatisfying(KeycloakCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FAILED))
                .hasMessageContaining("setting the secret of client 'billing' in realm 'apps': HTTP 400: invalid_input: secret '<redacted>'")
                .hasMessageNotContaining("pending-canary-123");
    }

    @Test
    void forbiddenNamesTheMissingRole() {
        adminAnswer = x -> new Answer(403, "{\"error\":\"unknown_error\"}");

        assertThatThrownBy(() -> admin().regenerateSecret(CLIENT))
                .isInstanceOfSatisfying(KeycloakCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FORBIDDEN))
                .hasMessageContaining("the rotator's client 'rotor' lacks the role 'manage-clients' of client 'realm-management' in realm 'apps'");
        assertThatThrownBy(() -> admin().clientPolicies()).hasMessageContaining("lacks the role 'view-realm'");
    }

    @Test
    void aRefusedRotatorSaysSoWithoutItsSecret() {
        tokenAnswer = x -> new Answer(401, "{\"error\":\"unauthorized_client\",\"error_description\":\"Invalid client or Invalid client credentials\"}");

        assertThatThrownBy(() -> admin().authenticate())
                .isInstanceOfSatisfying(KeycloakCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAUTHENTICATED))
                .hasMessageContaining("getting a token for the rotator's client 'rotor' in realm 'apps': refused with HTTP 401")
                .hasMessageContaining("Invalid client or Invalid client credentials")
                .hasMessageNotContaining("rotor-secret-canary");
    }

    @Test
    void anAnswerThatIsNotJsonIsNotQuoted() {
        adminAnswer = x -> new Answer(200, "<html>proxy login page with value-canary</html>");

        assertThatThrownBy(() -> admin().secret(CLIENT))
                .hasMessageContaining("the answer is not JSON")
                .hasMessageNotContaining("value-canary");
    }

    @Test
    void clientLookupComparesTheClientIdExactly() {
        adminAnswer = x -> new Answer(200, "[{\"id\":\"u2\",\"clientId\":\"billing-old\"},{\"id\":\"u1\",\"clientId\":\"billing\","
                + "\"serviceAccountsEnabled\":true,\"clientAuthenticatorType\":\"client-secret\",\"secret\":\"not-kept\"}]");

        KeycloakAdmin.Client c = admin().client("billing");
        assertThat(c.id()).isEqualTo("u1");
        assertThat(c.manageable()).as("no access block in the answer").isNull();
        assertThat(c.serviceAccountsEnabled()).isTrue();
        assertThat(c.toString()).doesNotContain("not-kept");
        adminAnswer = x -> new Answer(200, "[]");
        assertThatThrownBy(() -> admin().client("billing"))
                .isInstanceOfSatisfying(KeycloakCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessageContaining("realm 'apps' has no client 'billing'");
    }

    @Test
    void theLookupReadsWhetherTheRotatorMayManageTheClient() {
        adminAnswer = x -> new Answer(200, "[{\"id\":\"u1\",\"clientId\":\"billing\",\"access\":{\"view\":true,\"manage\":false}}]");
        assertThat(admin().client("billing").manageable()).isFalse();
        adminAnswer = x -> new Answer(200, "[{\"id\":\"u1\",\"clientId\":\"billing\",\"access\":{\"view\":true,\"manage\":true}}]");
        assertThat(admin().client("billing").manageable()).isTrue();
    }

    @Test
    void aMissingRotatedSecretIsEmptyNotAnError() {
        adminAnswer = x -> new Answer(404, "{\"error\":\"Client does not have a rotated secret\"}");
        assertThat(admin().rotatedSecret(CLIENT)).isEmpty();
    }

    @Test
    void theVerifyGrantTellsRefusedFromBroken() {
        tokenAnswer = x -> new Answer(401, "{\"error\":\"unauthorized_client\"}");
        assertThat(admin().clientCredentials("billing", SecretValue.ofUtf8("x"))).isEqualTo(KeycloakAdmin.GrantOutcome.REFUSED);
        tokenAnswer = x -> new Answer(200, "{\"access_token\":\"a\",\"expires_in\":60}");
        assertThat(admin().clientCredentials("billing", SecretValue.ofUtf8("x"))).isEqualTo(KeycloakAdmin.GrantOutcome.GRANTED);
        tokenAnswer = x -> new Answer(503, "");
        assertThatThrownBy(() -> admin().clientCredentials("billing", SecretValue.ofUtf8("x"))).hasMessageContaining("HTTP 503");
    }
}
