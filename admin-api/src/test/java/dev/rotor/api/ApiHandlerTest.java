package dev.rotor.api;

import static dev.rotor.api.Harness.ALL_KEY;
import static dev.rotor.api.Harness.AUDIENCE;
import static dev.rotor.api.Harness.READ_KEY;
import static dev.rotor.api.Harness.apiKey;
import static dev.rotor.api.Harness.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.rotor.api.internal.ApiResponse;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROTATE = "/v1/secrets/main/app/db/rotate";
    private final Harness h = new Harness();

    private static JsonNode json(ApiResponse r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.bodyText(), e);
        }
    }

    private Instant now() {
        return h.clock.instant();
    }

    private String token(String scope) {
        return h.tokens.rs256(h.tokens.claims(now(), AUDIENCE, scope).build());
    }

    // ------------------------------------------------------------------ public endpoints

    @Test
    void healthAndReadyAnswerWithoutCredentials() {
        ApiResponse health = h.get("/health");
        ApiResponse ready = h.get("/ready");
        assertThat(health.status()).isEqualTo(200);
        assertThat(json(health).path("status").asText()).isEqualTo("up");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(json(ready).path("checks").path("store:main").asText()).isEqualTo("up");
    }

    @Test
    void readinessDownAnswers503() {
        StubAdminService down = new StubAdminService() {
            @Override
            public HealthReport readiness() {
                return new HealthReport(false, java.util.Map.of("scheduler", "starting"));
            }
        };
        Harness h2 = new Harness();
        var handler = new dev.rotor.api.internal.ApiHandler(down, new dev.rotor.api.internal.Authenticator(null, java.util.List.of()),
                new dev.rotor.api.internal.RateLimiter(ApiConfig.RateLimit.DEFAULT, h2.clock), null, h2.audit, f -> { }, h2.clock, false, false);
        ApiResponse r = handler.handle(new dev.rotor.api.internal.ApiRequest("GET", "/ready", null, java.util.Map.of(), "127.0.0.1", new byte[0], false));
        assertThat(r.status()).isEqualTo(503);
        assertThat(json(r).path("status").asText()).isEqualTo("down");
    }

    @Test
    void openApiAndJwksArePublic() {
        ApiResponse doc = h.get("/openapi.yaml");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.header("Content-Type")).startsWith("application/yaml");
        assertThat(doc.bodyText()).startsWith("openapi: 3.1.0");
        ApiResponse jwks = h.get("/.well-known/jwks.json");
        assertThat(jwks.status()).isEqualTo(200);
        assertThat(json(jwks).path("keys").isArray()).isTrue();
    }

    @Test
    void jwksIs404WhenNoSigningKeysAreManaged() {
        h.service.jwks = null;
        ApiResponse r = h.get("/.well-known/jwks.json");
        assertThat(r.status()).isEqualTo(404);
        assertThat(json(r).path("code").asText()).isEqualTo("not_found");
    }

    // ------------------------------------------------------------------ deny by default

    @Test
    void protectedAndUnknownPathsNeedCredentials() {
        for (String path : new String[] {"/metrics", "/v1/secrets", "/v1/runs", "/nothing/here", "/v1/secrets/main/app/db"}) {
            ApiResponse r = h.get(path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).as(path).startsWith("Bearer");
            assertThat(json(r).path("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(h.post(ROTATE, "{}").status()).isEqualTo(401);
        assertThat(h.service.rotations).isEmpty();
    }

    @Test
    void unknownPathWithCredentialsIs404AndWrongMethodIs405() {
        assertThat(h.get("/v2/nothing", apiKey(READ_KEY)).status()).isEqualTo(404);
        ApiResponse r = h.call("DELETE", "/v1/secrets", null, apiKey(READ_KEY));
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("GET");
    }

    // ------------------------------------------------------------------ auth matrix (forged tokens)

    static Stream<Arguments> refusedTokens() {
        return Stream.of(
                Arguments.of("expired", (TokenCase) h -> h.tokens.rs256(h.tokens.claims(h.clock.instant().minusSeconds(3600), AUDIENCE, "rotor.read").build())),
                Arguments.of("not yet valid", (TokenCase) h -> h.tokens.rs256(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read")
                        .notBeforeTime(Date.from(h.clock.instant().plusSeconds(600))).build())),
                Arguments.of("no exp", (TokenCase) h -> h.tokens.rs256(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").expirationTime(null).build())),
                Arguments.of("wrong issuer", (TokenCase) h -> h.tokens.rs256(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").issuer("https://evil.test/realms/ops").build())),
                Arguments.of("wrong audience", (TokenCase) h -> h.tokens.rs256(h.tokens.claims(h.clock.instant(), "someone-else", "rotor.read").build())),
                Arguments.of("alg none", (TokenCase) h -> Tokens.unsigned(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").build())),
                Arguments.of("alg none with a signature", (TokenCase) h -> Tokens.unsignedWithSignature(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").build())),
                Arguments.of("bad signature", (TokenCase) h -> h.tokens.badSignature(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").build())),
                Arguments.of("unknown kid", (TokenCase) h -> h.tokens.unknownKid(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").build())),
                Arguments.of("HS256 keyed with the public key", (TokenCase) h -> h.tokens.hs256WithPublicKey(h.tokens.claims(h.clock.instant(), AUDIENCE, "rotor.read").build())),
                Arguments.of("garbage", (TokenCase) h -> "not.a.token"),
                Arguments.of("empty", (TokenCase) h -> ""));
    }

    interface TokenCase {
        String make(Harness h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refusedTokensAnswer401AndAreReported(String name, TokenCase tokenCase) {
        ApiResponse r = h.get("/v1/secrets", bearer(tokenCase.make(h)));
        assertThat(r.status()).isEqualTo(401);
        assertThat(json(r).path("code").asText()).isIn("invalid_token", "invalid_request");
        assertThat(r.header("WWW-Authenticate")).contains("error=");
        assertThat(h.authFailures).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo(401);
            assertThat(f.principal()).isNull();
            assertThat(f.requestId()).isEqualTo(json(r).path("requestId").asText());
        });
        assertThat(h.audit.events).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditOutcome.DENIED);
            assertThat(e.actor()).isEqualTo("anonymous@192.0.2.7");
        });
    }

    @Test
    void validRs256AndEs256TokensAreAccepted() {
        ApiResponse rsa = h.get("/v1/secrets", bearer(token("openid rotor.read")));
        ApiResponse ec = h.get("/v1/secrets", bearer(h.tokens.es256(h.tokens.claims(now(), AUDIENCE, "rotor.read").build())));
        assertThat(rsa.status()).isEqualTo(200);
        assertThat(ec.status()).isEqualTo(200);
        assertThat(json(rsa).path("secrets").get(0).path("ref").asText()).isEqualTo("secret://main/app/db");
        assertThat(h.audit.events).allSatisfy(e -> assertThat(e.actor()).isEqualTo("oidc:ci-client"));
    }

    @Test
    void skewToleratesAJustExpiredToken() {
        String t = h.tokens.rs256(h.tokens.claims(now(), AUDIENCE, "rotor.read").expirationTime(Date.from(now().minusSeconds(10))).build());
        assertThat(h.get("/v1/secrets", bearer(t)).status()).isEqualTo(200);
        h.clock.advance(Duration.ofSeconds(30));
        assertThat(h.get("/v1/secrets", bearer(t)).status()).isEqualTo(401);
    }

    @Test
    void scopesComeFromScpToo() {
        String t = h.tokens.rs256(h.tokens.claims(now(), AUDIENCE, "openid").claim("scp", java.util.List.of("rotor.read")).build());
        assertThat(h.get("/v1/runs", bearer(t)).status()).isEqualTo(200);
    }

    @Test
    void missingScopeIs403WithTheScopeNamed() {
        ApiResponse r = h.get("/v1/secrets", bearer(token("openid profile")));
        assertThat(r.status()).isEqualTo(403);
        assertThat(json(r).path("code").asText()).isEqualTo("insufficient_scope");
        assertThat(r.header("WWW-Authenticate")).contains("scope=\"rotor.read\"");
        assertThat(h.authFailures).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo(403);
            assertThat(f.principal()).isEqualTo("oidc:ci-client");
            assertThat(f.path()).isEqualTo("/v1/secrets");
            assertThat(f.method()).isEqualTo("GET");
        });
    }

    // ------------------------------------------------------------------ API keys

    @Test
    void apiKeysAuthenticateByHashAndCarryTheirScopes() {
        assertThat(h.get("/v1/runs", apiKey(READ_KEY)).status()).isEqualTo(200);
        assertThat(h.post(ROTATE, "{}", apiKey(READ_KEY)).status()).isEqualTo(403);
        assertThat(h.get("/v1/runs", apiKey(READ_KEY + "x")).status()).isEqualTo(401);
        assertThat(h.get("/v1/runs", apiKey(ApiKey.hash(READ_KEY))).status()).as("the hash is not the key").isEqualTo(401);
        assertThat(h.audit.events.getFirst().actor()).isEqualTo("apikey:reader");
    }

    @Test
    void twoCredentialsAtOnceAreRefused() {
        ApiResponse r = h.call("GET", "/v1/runs", null, "X-Api-Key", READ_KEY, "Authorization", "Bearer " + token("rotor.read"));
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void otherAuthorizationSchemesAreRefused() {
        assertThat(h.get("/v1/runs", "Authorization", "Basic dXNlcjpwYXNz").status()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ rotate

    @Test
    void routineRotationNeedsRotateScopeAndRunsAsTheCaller() {
        ApiResponse r = h.post(ROTATE, "{\"reason\":\"ticket 42\"}", bearer(token("rotor.rotate")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("outcome").asText()).isEqualTo("succeeded");
        assertThat(body.path("currentVersionId").asText()).isEqualTo("v2");
        assertThat(h.service.rotations).singleElement().satisfies(c -> {
            assertThat(c.ref()).isEqualTo(StubAdminService.MANAGED);
            assertThat(c.request().emergency()).isFalse();
            assertThat(c.request().reason()).isEqualTo("ticket 42");
            assertThat(c.request().actor()).isEqualTo("oidc:ci-client");
            assertThat(c.caller()).isNotNull();
            assertThat(c.caller().actor()).isEqualTo("oidc:ci-client");
            assertThat(c.caller().requestId()).isEqualTo(r.header("X-Request-Id"));
        });
        AuditEvent e = h.audit.events.getLast();
        assertThat(e.action()).isEqualTo(AuditAction.API_CALL);
        assertThat(e.store()).isEqualTo("main");
        assertThat(e.path()).isEqualTo("app/db");
        assertThat(e.versionId()).isEqualTo("v2");
        assertThat(e.requestId()).isEqualTo(r.header("X-Request-Id"));
    }

    @Test
    void emergencyNeedsEmergencyScopeAndAReason() {
        String body = "{\"emergency\":true,\"reason\":\"key leaked in a log\"}";
        assertThat(h.post(ROTATE, body, bearer(token("rotor.rotate"))).status()).isEqualTo(403);
        assertThat(h.service.rotations).isEmpty();
        assertThat(h.post(ROTATE, "{\"emergency\":true}", bearer(token("rotor.emergency"))).status()).isEqualTo(400);
        ApiResponse ok = h.post(ROTATE, body, bearer(token("rotor.emergency")));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(json(ok).path("previousRetired").asBoolean()).isTrue();
        assertThat(h.service.rotations).singleElement().satisfies(c -> assertThat(c.request().emergency()).isTrue());
        assertThat(h.audit.events.getLast().detail()).contains("emergency");
    }

    @Test
    void rotationInProgressIs409WithRetryAfter() {
        h.service.failWith = StubAdminService.inProgress();
        ApiResponse r = h.post(ROTATE, "{}", apiKey(ALL_KEY));
        assertThat(r.status()).isEqualTo(409);
        assertThat(json(r).path("code").asText()).isEqualTo("rotation_in_progress");
        assertThat(r.header("Retry-After")).matches("\\d+");
        assertThat(h.audit.events.getLast().outcome()).isEqualTo(AuditOutcome.CONFLICT);
    }

    @Test
    void unknownSecretIs404() {
        ApiResponse r = h.post("/v1/secrets/main/no/such/rotate", "", apiKey(ALL_KEY));
        assertThat(r.status()).isEqualTo(404);
        assertThat(json(r).path("code").asText()).isEqualTo("secret_not_found");
    }

    static Stream<Arguments> badRotateRequests() {
        return Stream.of(
                Arguments.of("/v1/secrets/main/rotate", "{}", "application/json", 400),
                Arguments.of("/v1/secrets/Main/app/rotate", "{}", "application/json", 400),
                Arguments.of("/v1/secrets/main/app/../etc/rotate", "{}", "application/json", 400),
                Arguments.of("/v1/secrets/main/app%2Fdb/rotate", "{}", "application/json", 400),
                Arguments.of(ROTATE, "[1]", "application/json", 400),
                Arguments.of(ROTATE, "{\"emergency\":\"yes\"}", "application/json", 400),
                Arguments.of(ROTATE, "{\"reason\":42}", "application/json", 400),
                Arguments.of(ROTATE, "{\"other\":1}", "application/json", 400),
                Arguments.of(ROTATE, "{\"reason\":\"a\",\"reason\":\"b\"}", "application/json", 400),
                Arguments.of(ROTATE, "{\"reason\":\"two\\nlines\"}", "application/json", 400),
                Arguments.of(ROTATE, "{\"reason\":\"" + "x".repeat(501) + "\"}", "application/json", 400),
                Arguments.of(ROTATE, "{", "application/json", 400),
                Arguments.of(ROTATE, "{}", "text/plain", 415),
                Arguments.of(ROTATE + "?x=1", "{}", "application/json", 400));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badRotateRequests")
    void badRotateRequestsAre4xxAndRotateNothing(String path, String body, String type, int status) {
        ApiResponse r = h.post(path, body, "X-Api-Key", ALL_KEY, "Content-Type", type);
        assertThat(r.status()).isEqualTo(status);
        assertThat(json(r).path("requestId").asText()).isEqualTo(r.header("X-Request-Id"));
        assertThat(h.service.rotations).isEmpty();
    }

    @Test
    void bodyTooLargeIs413() {
        ApiResponse r = h.handler.handle(new dev.rotor.api.internal.ApiRequest("POST", ROTATE, null,
                java.util.Map.of("X-Api-Key", java.util.List.of(ALL_KEY), "Content-Type", java.util.List.of("application/json")),
                "192.0.2.7", new byte[16], true));
        assertThat(r.status()).isEqualTo(413);
    }

    // ------------------------------------------------------------------ runs, metrics

    @Test
    void runsTakeALimitBetween1And1000() {
        assertThat(h.get("/v1/runs?limit=5", apiKey(READ_KEY)).status()).isEqualTo(200);
        assertThat(json(h.get("/v1/runs", apiKey(READ_KEY))).path("runs").get(0).path("runId").asText()).isEqualTo("run-1");
        for (String q : new String[] {"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=", "limit=1&x=2", "x=1", "limit=99999999999"}) {
            assertThat(h.get("/v1/runs?" + q, apiKey(READ_KEY)).status()).as(q).isEqualTo(400);
        }
    }

    @Test
    void metricsAreServedAsPrometheusText() {
        h.metrics.counter("rotor.rotations.succeeded").inc(3);
        ApiResponse r = h.get("/metrics", apiKey(READ_KEY));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(r.bodyText()).contains("rotor_rotations_succeeded 3\n");
        h.get("/v1/secrets");
        assertThat(h.metrics.meter("rotor.api.responses.2xx").getCount()).isEqualTo(1);
        assertThat(h.metrics.meter("rotor.api.responses.4xx").getCount()).isEqualTo(1);
        assertThat(h.metrics.timer("rotor.api.requests").getCount()).isEqualTo(2);
    }

    @Test
    void metricsMayBePublic() {
        Harness open = new Harness(ApiConfig.RateLimit.DEFAULT, true);
        assertThat(open.get("/metrics").status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ limits, failures, headers

    @Test
    void rateLimitIsPerClientAndAnswers429WithRetryAfter() {
        Harness limited = new Harness(new ApiConfig.RateLimit(3, Duration.ofMinutes(1)), false);
        for (int i = 0; i < 3; i++) {
            assertThat(limited.get("/v1/runs", apiKey(READ_KEY)).status()).isEqualTo(200);
        }
        ApiResponse r = limited.get("/v1/runs", apiKey(READ_KEY));
        assertThat(r.status()).isEqualTo(429);
        assertThat(json(r).path("code").asText()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(limited.get("/v1/runs", apiKey(ALL_KEY)).status()).as("another client").isEqualTo(200);
        limited.clock.advance(Duration.ofSeconds(20));
        assertThat(limited.get("/v1/runs", apiKey(READ_KEY)).status()).as("refilled").isEqualTo(200);
    }

    @Test
    void failedCredentialsAreRateLimitedByAddress() {
        Harness limited = new Harness(new ApiConfig.RateLimit(2, Duration.ofMinutes(1)), false);
        assertThat(limited.get("/v1/runs", apiKey("guess-1")).status()).isEqualTo(401);
        assertThat(limited.get("/v1/runs", apiKey("guess-2")).status()).isEqualTo(401);
        assertThat(limited.get("/v1/runs", apiKey("guess-3")).status()).isEqualTo(429);
    }

    @Test
    void daemonFailureIs500WithoutItsMessage() {
        h.service.failWith = new IllegalStateException("boom with details");
        ApiResponse r = h.get("/v1/secrets", apiKey(READ_KEY));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.bodyText()).doesNotContain("boom").doesNotContain("IllegalState").doesNotContain("at dev.");
        assertThat(json(r).path("code").asText()).isEqualTo("internal_error");
    }

    @Test
    void auditFailureFailsClosedForProtectedCallsOnly() {
        h.audit.broken = true;
        ApiResponse r = h.get("/v1/secrets", apiKey(READ_KEY));
        assertThat(r.status()).isEqualTo(503);
        assertThat(json(r).path("code").asText()).isEqualTo("audit_unavailable");
        assertThat(r.bodyText()).doesNotContain("app/db");
        assertThat(h.get("/health").status()).isEqualTo(200);
    }

    @Test
    void everyResponseHasSecurityHeadersAndARequestId() {
        for (ApiResponse r : new ApiResponse[] {h.get("/health"), h.get("/v1/secrets"), h.get("/v1/secrets", apiKey(READ_KEY))}) {
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Content-Security-Policy")).contains("default-src 'none'");
            assertThat(r.header("Cache-Control")).isEqualTo("no-store");
            assertThat(r.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        }
    }

    @Test
    void everyCallIsAudited() {
        h.get("/health");
        h.get("/v1/secrets");
        h.get("/v1/secrets", apiKey(READ_KEY));
        h.post(ROTATE, "{}", apiKey(ALL_KEY));
        assertThat(h.audit.events).extracting(AuditEvent::actor)
                .containsExactly("anonymous@192.0.2.7", "anonymous@192.0.2.7", "apikey:reader", "apikey:ops");
        assertThat(h.audit.events).extracting(AuditEvent::outcome)
                .containsExactly(AuditOutcome.SUCCESS, AuditOutcome.DENIED, AuditOutcome.SUCCESS, AuditOutcome.SUCCESS);
    }
}
