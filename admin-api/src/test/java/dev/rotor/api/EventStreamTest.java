package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Await;
import dev.rotor.watch.SecretChange;
import dev.rotor.watch.SecretWatcher;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/events} on a real server, followed by a raw client and by a {@link SecretWatcher}. */
class EventStreamTest {

    private static final String READ_KEY = "rk_events_reader_0123456789abcdef";
    private static final String CANARY = "canary-events-9c2e-never-sent";

    private final StubAdminService service = new StubAdminService();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final InMemorySecretStore store = new InMemorySecretStore("main");
    private AdminServer server;
    private URI events;

    @BeforeEach
    void start() {
        ApiConfig config = ApiConfig.defaults().withPort(0)
                .withApiKeys(List.of(new ApiKey("watcher", ApiKey.hash(READ_KEY), EnumSet.of(Scope.READ))));
        server = AdminServer.builder().config(config).service(service).audit(audit).eventsHeartbeat(Duration.ofMillis(200)).build();
        server.start();
        events = server.uri().resolve("/v1/events");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static RotationEvent.Succeeded succeeded(String path, String previous, String current) {
        return new RotationEvent.Succeeded("run-1", "main", path, Instant.now(), "test", previous, current, false, false);
    }

    @Test
    void aRotationIsStreamedAsOneEventWithIdsOnlyAndIdleStreamsGetHeartbeats() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(events).header("X-Api-Key", READ_KEY).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).isEqualTo("retry: 5000");
            Await.that("one event client").until(Duration.ofSeconds(10), () -> server.eventClients() == 1);
            server.rotationListener().onEvent(new RotationEvent.StepCompleted("run-1", "main", "db/app", Instant.now(), "test",
                    "v1", "v1", Step.CREATE, "v2"));
            server.rotationListener().onEvent(succeeded("db/app", "v1", "v2"));
            List<String> lines = new java.util.ArrayList<>();
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data:")) {
                lines.add(line);
            }
            assertThat(lines).contains("event: rotated");
            assertThat(line).isEqualTo("data: {\"ref\":\"secret://main/db/app\",\"version\":\"v2\"}");
            String heartbeat;
            while ((heartbeat = in.readLine()) != null && heartbeat.isEmpty()) {
                // the blank line ending the event
            }
            assertThat(heartbeat).isEqualTo(": heartbeat");
        }
        assertThat(audit.events).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.API_CALL);
            assertThat(e.detail()).contains("/v1/events 200");
        });
        server.close();
        Await.that("no event client").until(Duration.ofSeconds(10), () -> server.eventClients() == 0);
    }

    @Test
    void withoutCredentialsTheStreamIsRefused() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(server.eventClients()).isZero();
    }

    @Test
    void aWatcherFollowingTheStreamHearsOfARotationLongBeforeItsPoll() throws Exception {
        VersionInfo v1 = store.put("db/app", SecretValue.ofUtf8(CANARY), PutOptions.current());
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        CountDownLatch told = new CountDownLatch(1);
        try (SecretWatcher watcher = SecretWatcher.builder(name -> store).pollInterval(Duration.ofHours(1))
                .events(events, () -> READ_KEY).build()) {
            watcher.watch(SecretRef.parse("secret://main/db/app#password"), c -> {
                changes.add(c);
                told.countDown();
            });
            Await.that("one event client").until(Duration.ofSeconds(10), () -> server.eventClients() == 1);

            // What the daemon does: promote, then tell its listeners.
            VersionInfo v2 = store.put("db/app", SecretValue.ofUtf8(CANARY + "2"), PutOptions.pending());
            store.promote("db/app", v2.id(), v1.id());
            long start = System.nanoTime();
            server.rotationListener().onEvent(succeeded("db/app", v1.id(), v2.id()));

            assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMinutes(1));
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.previous().id()).isEqualTo(v1.id());
                assertThat(c.current().id()).isEqualTo(v2.id());
            });
        }
        Await.that("no event client").until(Duration.ofSeconds(10), () -> server.eventClients() == 0);
    }
}
