package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.alert.Alerting;
import dev.rotor.cli.HookReceiver;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotator.random.RandomSecretRotatorProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.TestClock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    private final TestClock clock = new TestClock(T0);
    private final String hookKey = Canary.create().text();
    private HookReceiver receiver;
    private @Nullable DaemonRuntime runtime;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new HookReceiver(hookKey, clock);
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        receiver.close();
    }

    private RotationService open() {
        RotatorRegistry rotators = RotatorRegistry.builder().register(new RandomSecretRotatorProvider())
                .register(new RotationServiceTest.FailingProvider()).build();
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators: { key: { type: random-secret }, broken: { type: failing } }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "%s", secretEnv: HOOK_KEY } ]
                policies:
                  - { name: api, ref: secret://main/api/key, rotator: key, interval: 1d, alerts: [ops] }
                  - { name: db, ref: secret://main/db/app, rotator: broken, interval: 1d, alerts: [ops] }
                """.formatted(receiver.url()), Path.of("/tmp"), rotators);
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
        assertThat(receiver.badSignatures()).isEmpty();
        return receiver.alerts();
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

        receiver.clear();
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
        assertThat(receiver.alerts().toString()).doesNotContain(hookKey);
    }
}
