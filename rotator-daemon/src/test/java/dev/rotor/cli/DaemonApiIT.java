package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.rotor.SecretValue;
import dev.rotor.api.ApiKey;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.rotator.signing.SigningKeySet;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Await;
import dev.rotor.testkit.Canary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code rotor daemon} (child JVM from the shaded jar) serving its admin API: with a
 * {@code signing-keys} policy, the key set it creates is served at {@code /.well-known/jwks.json}
 * without credentials and without private members, a token signed with CURRENT verifies against
 * what is served, and an emergency rotation through the API drops the compromised keys from the
 * served set at once; a burst of refused API keys raises one {@code auth-failure-burst} alert at a
 * webhook receiver that checks its HMAC.
 */
class DaemonApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEYS = "secret://main/keys/signing";

    @TempDir
    Path dir;

    private CliHarness cli;
    private String apiKey;
    private HookReceiver receiver;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        apiKey = Canary.create().text();
        String hookKeyText = Canary.create().text();
        receiver = new HookReceiver(hookKeyText);
        cli = new CliHarness(dir, ProviderRegistry.builder().register(new LocalStoreProvider()).build());
        cli.clock = Clock.systemUTC();
        cli.env.put("HOOK_KEY", hookKeyText);
        cli.config("""
                stores:
                  main: { type: local, path: ./data/store, keyFile: ./data/master.key }
                audit:
                  file: ./data/audit.jsonl
                rotators:
                  token-signing:
                    type: signing-keys
                    algorithm: ES256
                    jwksCacheTtl: 1h
                    maxTokenLifetime: 1h
                    jwksStore: main
                    jwksPath: keys/jwks
                policies:
                  - { name: tokens, ref: %s, rotator: token-signing }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "%s", secretEnv: HOOK_KEY } ]
                  defaultRoutes: [ops]
                  authFailures: { threshold: 5, window: 1m }
                api:
                  listen: 127.0.0.1:0
                  auth:
                    apiKeys: [ { name: ops, sha256: %s, scopes: [rotor.read, rotor.rotate, rotor.emergency] } ]
                """.formatted(KEYS, receiver.url(), ApiKey.hash(apiKey)));
        assertThat(cli.run("keygen", "--out", "data/master.key").exitCode()).isZero();
        // The daemon holds the audit log; the test reads the private set through the store alone.
        Files.writeString(dir.resolve("reader.yaml"), "stores:\n  main: { type: local, path: ./data/store, keyFile: ./data/master.key }\n");
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    @Test
    void theDaemonServesThePublishedKeysAndAnEmergencyDropsTheCompromisedOnesAtOnce() throws Exception {
        Process daemon = RotorProcess.startDaemon(dir, cli.env);
        SigningKeySet before;
        SignedJWT signedBefore;
        try {
            URI api = RotorProcess.awaitApi(daemon, dir);

            // Never rotated, so due at once: the first run creates current and next and publishes both.
            JWKSet served = awaitServedKeys(api, 2);
            before = privateKeySet();
            assertThat(kids(served)).containsExactlyInAnyOrder(before.currentKid(), before.nextKid());
            signedBefore = before.sign(claims());
            assertThat(verifies(signedBefore, served)).as("a token signed with CURRENT verifies against the served set").isTrue();

            // The emergency: every old key counts as leaked.
            HttpResponse<String> rotated = http.send(HttpRequest.newBuilder(api.resolve("/v1/secrets/main/keys/signing/rotate"))
                    .header("X-Api-Key", apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"emergency\": true, \"reason\": \"signing key in a crash dump\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(rotated.body());
            assertThat(result.get("outcome").asText()).isEqualTo("succeeded");
            assertThat(result.get("previousRetired").asBoolean()).isTrue();

            HttpResponse<String> after = getJwks(api);
            assertThat(after.statusCode()).isEqualTo(200);
            JWKSet servedAfter = JWKSet.parse(after.body());
            SigningKeySet now = privateKeySet();
            assertThat(kids(servedAfter)).doesNotContain(before.currentKid(), before.nextKid())
                    .contains(now.currentKid());
            assertThat(verifies(signedBefore, servedAfter)).as("a token signed with the leaked key no longer verifies").isFalse();
            assertThat(verifies(now.sign(claims()), servedAfter)).isTrue();
            assertNoPrivateMembers(after.body(), before, now);
            JsonNode alert = receiver.awaitAlerts(1).getFirst();
            assertThat(alert.get("kind").asText()).isEqualTo("emergency-rotation");
            assertThat(alert.get("severity").asText()).isEqualTo("CRITICAL");
            assertThat(alert.get("details").get("reason").asText()).isEqualTo("signing key in a crash dump");
        } finally {
            daemon.destroy();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(cli.run("audit", "verify").exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("data/audit.jsonl"))).contains("signing key in a crash dump");
    }

    @Test
    void aBurstOfRefusedApiKeysRaisesOneAlertAndNeverA5xx() throws Exception {
        Process daemon = RotorProcess.startDaemon(dir, cli.env);
        try {
            URI api = RotorProcess.awaitApi(daemon, dir);
            List<String> wrongKeys = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String wrong = Canary.create().text();
                wrongKeys.add(wrong);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/v1/secrets")).header("X-Api-Key", wrong)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isIn(401, 429);
                assertThat(r.body()).doesNotContain(wrong);
            }
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(api.resolve("/v1/secrets")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isIn(401, 429);

            JsonNode alert = receiver.awaitAlerts(1).getFirst();
            assertThat(alert.get("kind").asText()).isEqualTo("auth-failure-burst");
            assertThat(alert.get("severity").asText()).isEqualTo("WARNING");
            String alertText = alert.toString();
            assertThat(wrongKeys).allSatisfy(k -> assertThat(alertText).doesNotContain(k));

            // The right key still works: the burst is reported, not turned into a lock-out of everyone.
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(api.resolve("/v1/secrets")).header("X-Api-Key", apiKey)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isIn(200, 429);
        } finally {
            daemon.destroy();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(receiver.alerts().stream().filter(a -> a.get("kind").asText().equals("auth-failure-burst")))
                .as("deduplicated: one alert for the burst").hasSize(1);
        assertThat(receiver.badSignatures()).isEmpty();
        String daemonOutput = Files.readString(dir.resolve("out.txt")) + Files.readString(dir.resolve("err.txt"));
        assertThat(daemonOutput).doesNotContain(apiKey);
    }

    private static JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().subject("svc").issuer("https://issuer.test")
                .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build();
    }

    private static List<String> kids(JWKSet set) {
        return set.getKeys().stream().map(JWK::getKeyID).toList();
    }

    /** Verifies as a relying party would: the key named by the token's kid, from the served set only. */
    private static boolean verifies(SignedJWT token, JWKSet served) throws JOSEException {
        JWK key = served.getKeyByKeyId(token.getHeader().getKeyID());
        return key instanceof ECKey ec && token.verify(new ECDSAVerifier(ec.toPublicJWK()));
    }

    /** The served JSON holds no private member of any key, old or new. */
    private static void assertNoPrivateMembers(String body, SigningKeySet... sets) throws Exception {
        JsonNode keys = JSON.readTree(body).get("keys");
        assertThat(StreamSupport.stream(keys.spliterator(), false)).allSatisfy(k -> assertThat(k.has("d")).isFalse());
        for (SigningKeySet set : sets) {
            assertThat(body).doesNotContain(((ECKey) set.current()).getD().toString());
        }
    }

    private SigningKeySet privateKeySet() {
        CliHarness.Result r = cli.run("--config", "reader.yaml", "get", KEYS, "--reveal");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return SigningKeySet.parse(SecretValue.ofUtf8(r.out().strip()));
    }

    private HttpResponse<String> getJwks(URI api) throws Exception {
        // Public: no credentials.
        return http.send(HttpRequest.newBuilder(api.resolve("/.well-known/jwks.json")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JWKSet awaitServedKeys(URI api, int count) throws Exception {
        AtomicReference<JWKSet> served = new AtomicReference<>();
        Await.that(count + " served keys").until(Duration.ofSeconds(60), () -> {
            HttpResponse<String> r = getJwks(api);
            assertThat(r.statusCode()).as(r.body()).isIn(200, 404);
            if (r.statusCode() == 404) {
                return false;
            }
            served.set(JWKSet.parse(r.body()));
            return served.get().getKeys().size() >= count;
        });
        return served.get();
    }
}
