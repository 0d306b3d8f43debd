package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.kubernetes.KubernetesClients;
import dev.rotor.kubernetes.KubernetesSecretSync;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotator.random.RandomSecretRotatorProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.TestClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A policy's {@code sync.kubernetes} block as the daemon wires it: the runtime's rotation service
 * writes the new CURRENT into the Secret of fabric8's CRUD mock API server and restarts the
 * Deployment; a 403 leaves the rotation done, reaches a real webhook as a sync-failed alert, and
 * the retry succeeds once the refusal ends.
 */
class DaemonKubernetesSyncIT {

    private static final SecretRef REF = SecretRef.parse("secret://main/api/key");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestClock clock = new TestClock(Instant.parse("2026-01-12T01:00:00Z"));
    private final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    private volatile boolean refuseWrites;
    private KubernetesMockServer server;
    private KubernetesClient client;
    private HttpServer receiver;
    private DaemonRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (refuseWrites && request.getPath().contains("/secrets") && !request.getMethod().equalsIgnoreCase("GET")) {
                    return new MockResponse().setResponseCode(403).setBody(
                            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}");
                }
                return super.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient(KubernetesClients::configure);
        client.apps().deployments().inNamespace("payments").resource(new DeploymentBuilder().withNewMetadata().withName("api")
                .withNamespace("payments").endMetadata().withNewSpec().withNewTemplate().withNewMetadata().addToLabels("app", "api")
                .endMetadata().endTemplate().endSpec().build()).create();

        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            alerts.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();

        RotatorRegistry rotators = RotatorRegistry.builder().register(new RandomSecretRotatorProvider()).build();
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators: { key: { type: random-secret } }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "http://127.0.0.1:%d/hook", secretEnv: HOOK_KEY } ]
                policies:
                  - name: api
                    ref: secret://main/api/key
                    rotator: key
                    interval: 1d
                    alerts: [ops]
                    sync:
                      kubernetes: { namespace: payments, secret: api-key, keys: { value: API_KEY }, restart: [api] }
                """.formatted(receiver.getAddress().getPort()), Path.of("/tmp"), rotators);
        assertThat(config.policy("api").orElseThrow().sync()).isNotNull();
        runtime = DaemonRuntime.open(config, ProviderRegistry.builder().register(new InMemoryStoreProvider()).build(), rotators, clock,
                name -> name.equals("HOOK_KEY") ? "hook-key-for-tests-only-0123456789" : null, new PrintStream(PrintStream.nullOutputStream()),
                new MetricRegistry(), null, () -> server.createClient(KubernetesClients::configure));
        runtime.rotor().store("main").put(REF.path(), SecretValue.ofUtf8("{\"value\":\"initial\"}"), PutOptions.current());
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        client.close();
        server.destroy();
        receiver.stop(0);
    }

    private String rotate() throws InterruptedException {
        RotationResult r = runtime.service().rotate(REF, new RotationRequest(false, "test", "ops"));
        assertThat(r).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(runtime.kubernetesSync().orElseThrow().awaitIdle(Duration.ofSeconds(30))).isTrue();
        return runtime.rotor().store("main").get(REF.path()).version().id();
    }

    private Secret secret() {
        return client.secrets().inNamespace("payments").withName("api-key").get();
    }

    @Test
    void aRotationWritesTheSecretAndRestartsTheDeployment() throws Exception {
        String v = rotate();
        assertThat(secret().getData()).containsKey("API_KEY");
        assertThat(secret().getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v);
        assertThat(client.apps().deployments().inNamespace("payments").withName("api").get().getSpec().getTemplate().getMetadata()
                .getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_RESTARTED_VERSION, v);
    }

    @Test
    void aRefusedSyncAlertsThroughTheWebhookAndIsRetried() throws Exception {
        refuseWrites = true;
        String v = rotate();
        KubernetesSecretSync sync = runtime.kubernetesSync().orElseThrow();
        assertThat(sync.failures()).containsKey(REF);
        assertThat(runtime.alerting().orElseThrow().awaitDelivery(Duration.ofSeconds(10))).isTrue();
        assertThat(alerts).anySatisfy(a -> {
            assertThat(a.get("kind").asText()).isEqualTo("sync-failed");
            assertThat(a.get("details").get("target").asText()).isEqualTo("kubernetes:payments/api-key");
            assertThat(a.get("details").get("error").asText()).contains("create secrets payments/api-key refused (403 Forbidden)");
        });

        refuseWrites = false;
        clock.advance(Duration.ofMinutes(1));
        assertThat(sync.retryDue()).containsExactly(REF);
        assertThat(secret().getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v);
    }
}
