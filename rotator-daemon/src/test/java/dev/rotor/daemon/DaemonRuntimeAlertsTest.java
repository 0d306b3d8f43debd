package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.alert.Alerting;
import dev.rotor.alert.WebhookSignature;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotator.random.RandomSecretRotatorProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.TestClock;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alerts {@link DaemonRuntime} wires, delivered to a local webhook receiver that checks each
 * HMAC: one alert per failure (the engine's event, not also the service's notice), overdue from
 * the overdue check and resolved once, an emergency from the engine's events.
 */
class DaemonRuntimeAlertsTest {

    private static final Instant T0 = Instant.parse("2026-01-12T01:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestClock clock = new TestClock(T0);
    private final String hookKey = Canary.create().text();
    private final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    private final List<String> badSignatures = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private @Nullable DaemonRuntime runtime;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String ts = exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String sig = exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            if (ts != null && sig != null && WebhookSignature.verify(hookKey.getBytes(StandardCharsets.UTF_8), ts, body, sig,
                    clock.instant(), Duration.ofMinutes(5))) {
                alerts.add(JSON.readTree(body));
            } else {
                badSignatures.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        receiver.stop(0);
    }

    private RotationService open() {
        RotatorRegistry rotators = RotatorRegistry.builder().register(new RandomSecretRotatorProvider())
                .register(new RotationServiceTest.FailingProvider()).build();
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators: { key: { type: random-secret }, broken: { type: failing } }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "http://127.0.0.1:%d/hook", secretEnv: HOOK_KEY } ]
                policies:
                  - { name: api, ref: secret://main/api/key, rotator: key, interval: 1d, alerts: [ops] }
                  - { name: db, ref: secret://main/db/app, rotator: broken, interval: 1d, alerts: [ops] }
                """.formatted(receiver.getAddress().getPort()), Path.of("/tmp"), rotators);
        runtime = DaemonRuntime.open(config, ProviderRegistry.builder().register(new InMemoryStoreProvider()).build(), rotators, clock,
                name -> name.equals("HOOK_KEY") ? hookKey : null, new PrintStream(PrintStream.nullOutputStream()), new MetricRegistry(),
                null);
        runtime.rotor().store("main").put("api/key", SecretValue.ofUtf8("{\"value\":\"initial\"}"), PutOptions.current());
        runtime.rotor().store("main").put("db/app", SecretValue.ofUtf8("{\"value\":\"initial\"}"), PutOptions.current());
        return runtime.service();
    }

    private List<JsonNode> delivered() throws InterruptedException {
        Alerting a = runtime.alerting().orElseThrow();
        assertThat(a.awaitDelivery(Duration.ofSeconds(10))).isTrue();
        assertThat(badSignatures).isEmpty();
        return List.copyOf(alerts);
    }

    @Test
    void repeatedFailuresOfOneStepRaiseOneAlert() throws Exception {
        RotationService service = open();
        for (int i = 0; i < 3; i++) {
            RotationResult r = service.rotate(SecretRef.parse("secret://main/db/app"), new RotationRequest(false, "test", "ops"));
            assertThat(r).isInstanceOf(RotationResult.Failed.class);
        }

        assertThat(delivered()).singleElement().satisfies(a -> {
            assertThat(a.get("kind").asText()).isEqualTo("rotation-failed");
            assertThat(a.get("key").asText()).isEqualTo("rotation-failed|secret://main/db/app|VERIFY");
            assertThat(a.get("severity").asText()).isEqualTo("WARNING");
        });
        assertThat(runtime.alerting().orElseThrow().activeConditions()).containsExactly("rotation-failed|secret://main/db/app|VERIFY");
    }

    @Test
    void anOverdueSecretAlertsOnceAndItsRotationResolvesItOnce() throws Exception {
        RotationService service = open();
        clock.advance(Duration.ofDays(1).plusHours(2)); // past due + the default 1h slack

        assertThat(service.checkOverdue()).hasSize(2);
        assertThat(service.checkOverdue()).hasSize(2); // again: deduplicated
        assertThat(delivered()).extracting(a -> a.get("key").asText()).containsExactlyInAnyOrder(
                "rotation-overdue|secret://main/api/key", "rotation-overdue|secret://main/db/app");

        alerts.clear();
        service.rotate(SecretRef.parse("secret://main/api/key"), new RotationRequest(false, "test", "ops"));
        assertThat(delivered()).singleElement().satisfies(a -> {
            assertThat(a.get("key").asText()).isEqualTo("rotation-overdue|secret://main/api/key");
            assertThat(a.get("resolved").asBoolean()).isTrue();
        });
    }

    @Test
    void anEmergencyRaisesOneCriticalAlertWithActorAndReason() throws Exception {
        RotationService service = open();
        RotationResult r = service.rotate(SecretRef.parse("secret://main/api/key"), RotationRequest.emergency("ops-alice", "key in a public repo"));
        assertThat(r).isInstanceOf(RotationResult.Succeeded.class);

        assertThat(delivered()).singleElement().satisfies(a -> {
            assertThat(a.get("kind").asText()).isEqualTo("emergency-rotation");
            assertThat(a.get("severity").asText()).isEqualTo("CRITICAL");
            assertThat(a.get("details").get("actor").asText()).isEqualTo("ops-alice");
            assertThat(a.get("details").get("reason").asText()).isEqualTo("key in a public repo");
        });
        assertThat(alerts.toString()).doesNotContain(hookKey);
    }
}
