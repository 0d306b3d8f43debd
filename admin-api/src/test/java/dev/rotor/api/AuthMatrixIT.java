package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The auth matrix against a real Keycloak: client-credentials tokens from a realm set up as an
 * operator would (client scopes {@code rotor.read} and {@code rotor.rotate} with an audience
 * mapper for {@code rotor}), checked by a running {@link AdminServer} that discovers the realm
 * and fetches its JWKS. Every bad token is refused with 401 or 403, never a 5xx; a good one
 * with the right scope succeeds. The client secrets and the tokens are canaries: none may show
 * up in a response body, a log line or the console.
 */
class AuthMatrixIT {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension();

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private KeycloakRealm realm;
    private KeycloakRealm otherRealm;
    private Canary readerSecret;
    private Canary plainSecret;
    private TestClock clock;
    private StubAdminService service;
    private RecordingAuditSink audit;
    private List<AuthFailure> failures;
    private URI api;

    @BeforeEach
    void setUp() {
        // Jetty's HTTP parser logs every raw request header at DEBUG, bearer tokens and API keys
        // included; Rotor's deployments pin it at INFO (docs/admin-api.md), and so does this test.
        // Everything else, Rotor's own code included, still runs at ALL under the leak check.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty.http.HttpParser"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        URI kc = KEYCLOAK.peer().uri();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        realm = new KeycloakRealm(kc, "rotor-api-" + suffix);
        otherRealm = new KeycloakRealm(kc, "rotor-other-" + suffix);
        readerSecret = leaks.canary();
        plainSecret = leaks.canary();
        String read = realm.clientScope("rotor.read", "rotor");
        String rotate = realm.clientScope("rotor.rotate", "rotor");
        String audienceOnly = realm.clientScope("rotor-audience", "rotor");
        realm.client("ops-bot", readerSecret.text(), read, rotate);
        realm.client("plain-bot", plainSecret.text(), audienceOnly);
        otherRealm.client("ops-bot", readerSecret.text(), otherRealm.clientScope("rotor.read", "rotor"));

        clock = TestClock.startingNow();
        service = new StubAdminService();
        audit = new RecordingAuditSink();
        failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        api = start("rotor", clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        realm.delete();
        otherRealm.delete();
        for (String body : bodies) {
            // each canary check runs again in the extension; this names the body that leaked
            assertThat(readerSecret.findIn(body)).as("a response body holds a client secret").isEmpty();
        }
    }

    private URI start(String audience, TestClock serverClock) {
        ApiConfig config = ApiConfig.defaults().withPort(0)
                .withOidc(new ApiConfig.Oidc(realm.issuer(), audience, Duration.ofSeconds(30)));
        AdminServer server = AdminServer.builder().config(config).service(service).audit(audit)
                .authFailureListener(failures::add).clock(serverClock).build();
        server.start();
        closing.add(server);
        return server.uri();
    }

    private HttpResponse<String> get(URI base, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            bodies.add(r.body());
            return r;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("admin API did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String goodToken() {
        String token = realm.token("ops-bot", readerSecret.text());
        leaks.checker().watch(Canary.of(token));
        return token;
    }

    private static JWTClaimsSet claimsOf(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet();
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertRefused(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(failures).last().satisfies(f -> assertThat(f.status()).isEqualTo(status));
        assertThat(r.body()).contains("\"code\"").contains("\"requestId\"");
        assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void aValidKeycloakTokenWithTheRightScopeSucceeds() {
        String token = goodToken();
        HttpResponse<String> r = get(api, "/v1/secrets", token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("secret://main/app/db");
        assertThat(audit.events.getLast().actor()).isEqualTo("oidc:ops-bot");
        assertThat(failures).isEmpty();
    }

    @Test
    void noToken() {
        assertRefused(get(api, "/v1/secrets", null), 401);
    }

    @Test
    void expired() {
        String token = goodToken();
        TestClock later = TestClock.startingNow();
        later.advance(Duration.ofHours(2));
        assertRefused(get(start("rotor", later), "/v1/secrets", token), 401);
    }

    @Test
    void wrongIssuer() {
        String token = otherRealm.token("ops-bot", readerSecret.text());
        leaks.checker().watch(Canary.of(token));
        assertRefused(get(api, "/v1/secrets", token), 401);
    }

    @Test
    void wrongAudience() {
        assertRefused(get(start("not-rotor", clock), "/v1/secrets", goodToken()), 401);
    }

    @Test
    void missingScope() {
        String token = realm.token("plain-bot", plainSecret.text());
        leaks.checker().watch(Canary.of(token));
        HttpResponse<String> r = get(api, "/v1/secrets", token);
        assertRefused(r, 403);
        assertThat(r.body()).contains("insufficient_scope");
        assertThat(failures).singleElement().satisfies(f -> assertThat(f.principal()).isEqualTo("oidc:plain-bot"));
    }

    @Test
    void algNone() {
        String token = new PlainJWT(claimsOf(goodToken())).serialize();
        assertRefused(get(api, "/v1/secrets", token), 401);
    }

    @Test
    void badSignature() throws ParseException {
        // The real header and signature over a payload with more scope: the signature no longer matches.
        String token = goodToken();
        String[] parts = token.split("\\.");
        JWTClaimsSet more = new JWTClaimsSet.Builder(claimsOf(token)).claim("scope", "rotor.read rotor.rotate rotor.emergency").build();
        String forged = parts[0] + "." + Base64URL.encode(more.toString()) + "." + parts[2];
        assertRefused(get(api, "/v1/secrets", forged), 401);
    }

    @Test
    void unknownKid() throws JOSEException {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("kid-" + UUID.randomUUID()).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attacker.getKeyID()).build(), claimsOf(goodToken()));
        jwt.sign(new RSASSASigner(attacker));
        assertRefused(get(api, "/v1/secrets", jwt.serialize()), 401);
        // a second unknown kid within 10 s does not refetch the JWKS, and is refused all the same
        assertRefused(get(api, "/v1/runs", jwt.serialize()), 401);
    }

    @Test
    void hs256SignedWithThePublicKey() throws Exception {
        JWK published = null;
        for (JWK k : JWKSet.parse(realm.jwks()).getKeys()) {
            if (k instanceof RSAKey && "sig".equals(k.getKeyUse() == null ? "sig" : k.getKeyUse().identifier())) {
                published = k;
            }
        }
        assertThat(published).as("the realm publishes an RSA signing key").isNotNull();
        RSAKey rsa = (RSAKey) published;
        for (byte[] secret : List.of(rsa.toRSAPublicKey().getEncoded(), rsa.toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claimsOf(goodToken()));
            jwt.sign(new MACSigner(secret));
            assertRefused(get(api, "/v1/secrets", jwt.serialize()), 401);
        }
    }

    @Test
    void aKeycloakTokenWithRotorRotateRotatesButCannotDeclareAnEmergency() {
        String token = goodToken();
        HttpResponse<String> routine = post(api, "/v1/secrets/main/app/db/rotate", token, "{\"reason\":\"quarterly\"}");
        assertThat(routine.statusCode()).isEqualTo(200);
        HttpResponse<String> emergency = post(api, "/v1/secrets/main/app/db/rotate", token, "{\"emergency\":true,\"reason\":\"leak\"}");
        assertRefused(emergency, 403);
        assertThat(service.rotations).singleElement().satisfies(c -> {
            assertThat(c.request().actor()).isEqualTo("oidc:ops-bot");
            assertThat(c.request().emergency()).isFalse();
        });
    }

    private HttpResponse<String> post(URI base, String path, String token, String body) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            bodies.add(r.body());
            return r;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("admin API did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
