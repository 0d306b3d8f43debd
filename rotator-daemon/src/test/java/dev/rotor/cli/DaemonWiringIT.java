package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.alert.WebhookSignature;
import dev.rotor.api.ApiKey;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Await;
import dev.rotor.testkit.Canary;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rotor daemon} as a process with everything wired: the admin API (an API key with
 * {@code rotor.emergency}), a webhook alert route to a local receiver that checks every HMAC, the
 * file and PostgreSQL audit sinks, and a postgres-password policy on an embedded PostgreSQL. Then
 * an emergency rotation through the API and one through {@code rotor rotate --emergency}.
 */
class DaemonWiringIT {

    @RegisterExtension
    static final EmbeddedPostgresServer PG = new EmbeddedPostgresServer();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern API_URI = Pattern.compile("api (http://[^\\s]+)");

    @TempDir
    Path dir;
    private CliHarness cli;
    private String role;
    private String initialPassword;
    private String apiKey;
    private byte[] hookKey;
    private HttpServer receiver;
    /** Bodies whose HMAC checked out; anything else is counted in {@link #badSignatures}. */
    private final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    private final List<String> badSignatures = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        role = "app_" + Long.toHexString(System.nanoTime());
        initialPassword = Canary.create().text();
        apiKey = Canary.create().text();
        String hookKeyText = Canary.create().text();
        hookKey = hookKeyText.getBytes(StandardCharsets.UTF_8);
        PG.admin("CREATE ROLE " + role + " LOGIN PASSWORD '" + initialPassword + "'");
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String ts = exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String sig = exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            if (ts != null && sig != null && WebhookSignature.verify(hookKey, ts, body, sig, Instant.now(), Duration.ofMinutes(5))) {
                alerts.add(JSON.readTree(body));
            } else {
                badSignatures.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();

        cli = new CliHarness(dir, ProviderRegistry.builder().register(new LocalStoreProvider()).build());
        cli.clock = Clock.systemUTC();
        cli.env.put("PG_ADMIN_USER", EmbeddedPostgresServer.ADMIN);
        cli.env.put("PG_ADMIN_PASSWORD", EmbeddedPostgresServer.ADMIN_PASSWORD);
        cli.env.put("AUDIT_DB_USER", EmbeddedPostgresServer.ADMIN);
        cli.env.put("AUDIT_DB_PASSWORD", EmbeddedPostgresServer.ADMIN_PASSWORD);
        cli.env.put("HOOK_KEY", hookKeyText);
        cli.config("""
                stores:
                  main: { type: local, path: ./data/store, keyFile: ./data/master.key }
                audit:
                  file: ./data/audit.jsonl
                  postgres:
                    url: jdbc:postgresql://127.0.0.1:%d/postgres
                    usernameEnv: AUDIT_DB_USER
                    passwordEnv: AUDIT_DB_PASSWORD
                    table: %s
                rotators:
                  app-db:
                    type: postgres-password
                    host: 127.0.0.1
                    port: %d
                    database: postgres
                    strategy: single-user
                    role: %s
                    admin: { usernameEnv: PG_ADMIN_USER, passwordEnv: PG_ADMIN_PASSWORD }
                  broken-db:
                    type: postgres-password
                    host: 127.0.0.1
                    port: %d
                    database: postgres
                    strategy: single-user
                    role: %s_missing
                    admin: { usernameEnv: PG_ADMIN_USER, passwordEnv: PG_ADMIN_PASSWORD }
                policies:
                  - { name: app-db, ref: secret://main/db/app, rotator: app-db, alerts: [ops] }
                  - { name: broken-db, ref: secret://main/db/broken, rotator: broken-db, alerts: [ops] }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "http://127.0.0.1:%d/hook", secretEnv: HOOK_KEY } ]
                api:
                  listen: 127.0.0.1:0
                  auth:
                    apiKeys: [ { name: ops, sha256: %s, scopes: [rotor.read, rotor.rotate, rotor.emergency] } ]
                """.formatted(PG.port(), auditTable(), PG.port(), role, PG.port(), role, receiver.getAddress().getPort(), ApiKey.hash(apiKey)));
        assertThat(cli.run("keygen", "--out", "data/master.key").exitCode()).isZero();
        // Written now: not due for 90 days, so the daemon leaves it alone until asked.
        CliHarness.Result put = cli.runWithInput("{\"username\":\"" + role + "\",\"password\":\"" + initialPassword + "\"}",
                "put", "secret://main/db/app");
        assertThat(put.exitCode()).as(put.toString()).isZero();
        CliHarness.Result putBroken = cli.runWithInput("{\"username\":\"" + role + "_missing\",\"password\":\"" + initialPassword + "\"}",
                "put", "secret://main/db/broken");
        assertThat(putBroken.exitCode()).as(putBroken.toString()).isZero();
    }

    @AfterEach
    void tearDown() {
        receiver.stop(0);
    }

    private String auditTable() {
        return "audit_" + role;
    }

    @Test
    void emergencyRotationThroughTheApiAndTheCliRotatesRevokesAuditsAndAlertsOnce() throws Exception {
        Process daemon = startDaemon();
        String passwordAfterApi;
        try {
            URI api = awaitReady(daemon);

            // Metadata, no value.
            HttpResponse<String> secrets = get(api, "/v1/secrets");
            assertThat(secrets.statusCode()).isEqualTo(200);
            JsonNode row = JSON.readTree(secrets.body()).get("secrets").get(0);
            assertThat(row.get("ref").asText()).isEqualTo("secret://main/db/app");
            assertThat(row.get("rotator").asText()).isEqualTo("app-db");
            assertThat(row.get("state").asText()).isEqualTo("ok");
            assertThat(row.get("currentVersionId").asText()).isNotBlank();
            assertThat(secrets.body()).doesNotContain(initialPassword);

            // Bad input is refused with a 4xx, and nothing rotates.
            assertThat(post(api, "/v1/secrets/main/db/app/rotate", "{\"emergency\": true}").statusCode()).isEqualTo(400);
            assertThat(post(api, "/v1/secrets/main/db/app/rotate", "{\"emergency\": \"yes\", \"reason\": \"x\"}").statusCode())
                    .isEqualTo(400);
            assertThat(post(api, "/v1/secrets/main/db/app/rotate", "not json").statusCode()).isBetween(400, 499);
            assertThat(post(api, "/v1/secrets/main/db/unmanaged/rotate", "{}").statusCode()).isEqualTo(404);
            assertThat(PG.canLogin(role, initialPassword)).isTrue();

            // Applications following rotation listen on the event stream (left open until the daemon stops).
            HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(api.resolve("/v1/events"))
                    .header("X-Api-Key", apiKey).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            java.io.BufferedReader events = new java.io.BufferedReader(
                    new java.io.InputStreamReader(stream.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertThat(events.readLine()).isEqualTo("retry: 5000");

            // The emergency.
            HttpResponse<String> rotated = post(api, "/v1/secrets/main/db/app/rotate",
                    "{\"emergency\": true, \"reason\": \"leaked in ticket 4711\"}");
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(rotated.body());
            List<String> eventLines = new java.util.ArrayList<>();
            String line;
            while ((line = events.readLine()) != null && !line.startsWith("data:")) {
                eventLines.add(line);
            }
            assertThat(eventLines).contains("event: rotated");
            assertThat(line).isEqualTo("data: {\"ref\":\"secret://main/db/app\",\"version\":\""
                    + result.get("currentVersionId").asText() + "\"}");
            assertThat(result.get("outcome").asText()).isEqualTo("succeeded");
            assertThat(result.get("emergency").asBoolean()).isTrue();
            assertThat(result.get("previousRetired").asBoolean()).isTrue();
            assertThat(PG.canLogin(role, initialPassword)).as("old password refused at once").isFalse();

            JsonNode alert = awaitAlerts(1).get(0);
            assertThat(alert.get("kind").asText()).isEqualTo("emergency-rotation");
            assertThat(alert.get("severity").asText()).isEqualTo("CRITICAL");
            assertThat(alert.get("details").get("actor").asText()).isEqualTo("apikey:ops");
            assertThat(alert.get("details").get("reason").asText()).isEqualTo("leaked in ticket 4711");

            HttpResponse<String> runs = get(api, "/v1/runs");
            assertThat(runs.statusCode()).isEqualTo(200);
            JsonNode run = JSON.readTree(runs.body()).get("runs").get(0);
            assertThat(run.get("outcome").asText()).isEqualTo("succeeded");
            assertThat(run.get("actor").asText()).isEqualTo("apikey:ops");
            assertThat(run.get("emergency").asBoolean()).isTrue();

            HttpResponse<String> metrics = get(api, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("rotor_rotations_succeeded 1").contains("rotor_rotations_emergency 1")
                    .contains("rotor_audit_postgres_queue_depth").doesNotContain(initialPassword);
        } finally {
            daemon.destroy(); // SIGTERM: API, scheduler, stores, audit, alerting closed in order
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        String daemonOutput = Files.readString(dir.resolve("out.txt")) + Files.readString(dir.resolve("err.txt"));
        assertThat(daemonOutput).doesNotContain(initialPassword).doesNotContain(apiKey).doesNotContain("Exception");

        assertThat(alerts).as("one alert for the API's emergency, none more by the time the daemon stopped").hasSize(1);
        passwordAfterApi = reveal();
        assertThat(PG.canLogin(role, passwordAfterApi)).isTrue();

        // The same emergency through the CLI: the one-shot command delivers its alert before it exits.
        CliHarness.Result r = cli.run("rotate", "secret://main/db/app", "--emergency", "--reason", "laptop stolen");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("old credential revoked");
        assertThat(PG.canLogin(role, passwordAfterApi)).as("old password refused at once").isFalse();
        assertThat(PG.canLogin(role, reveal())).isTrue();
        assertThat(alerts).as("delivered before the command returned").hasSize(2);
        JsonNode cliAlert = alerts.get(1);
        assertThat(cliAlert.get("kind").asText()).isEqualTo("emergency-rotation");
        assertThat(cliAlert.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(cliAlert.get("details").get("actor").asText()).isEqualTo("tester@testhost");
        assertThat(cliAlert.get("details").get("reason").asText()).isEqualTo("laptop stolen");
        assertThat(badSignatures).isEmpty();
        assertThat(alerts.toString()).doesNotContain(initialPassword).doesNotContain(passwordAfterApi);

        // Both emergencies are in the PostgreSQL audit table (and the file), each with its actor and reason.
        List<String[]> started = auditRows("ROTATION_STARTED");
        assertThat(started).hasSize(2);
        assertThat(started.get(0)[0]).isEqualTo("apikey:ops");
        assertThat(started.get(0)[1]).contains("leaked in ticket 4711");
        assertThat(started.get(1)[0]).isEqualTo("tester@testhost");
        assertThat(started.get(1)[1]).contains("laptop stolen");
        assertThat(auditRows("ROTATION_RETIRED")).hasSize(2);
        assertThat(Files.readString(dir.resolve("data/audit.jsonl"))).contains("leaked in ticket 4711", "laptop stolen", "apikey:ops")
                .doesNotContain(initialPassword).doesNotContain(passwordAfterApi);
        assertThat(cli.run("audit", "verify").exitCode()).isZero();
    }

    @Test
    void aFailedRotationRaisesOneAlertNotTwo() throws Exception {
        CliHarness.Result r = cli.run("rotate", "secret://main/db/broken");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.ROTATION_FAILED);

        // The CLI closed alerting before returning, which sends what is queued.
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.get("kind").asText()).isEqualTo("rotation-failed");
            assertThat(a.get("severity").asText()).isEqualTo("WARNING");
            assertThat(a.get("ref").asText()).isEqualTo("secret://main/db/broken");
        });
        assertThat(badSignatures).isEmpty();
        assertThat(alerts.toString() + r.out() + r.err()).doesNotContain(initialPassword);
        assertThat(auditRows("ROTATION_FAILED")).hasSize(1);
    }

    private Process startDaemon() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(RotorProcess.JAVA.toString(), "-jar", RotorProcess.JAR.toString(), "daemon")
                .directory(dir.toFile()).redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_"));
        pb.environment().putAll(cli.env);
        return pb.start();
    }

    private URI awaitReady(Process p) throws Exception {
        Path out = dir.resolve("out.txt");
        Await.that("'rotor daemon ready'").until(Duration.ofSeconds(60), () -> {
            if (API_URI.matcher(Files.readString(out)).find()) {
                return true;
            }
            assertThat(p.isAlive()).as("daemon running; stderr: %s", Files.readString(dir.resolve("err.txt"))).isTrue();
            return false;
        });
        Matcher m = API_URI.matcher(Files.readString(out));
        assertThat(m.find()).isTrue();
        String uri = m.group(1);
        return URI.create(uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
    }

    private List<JsonNode> awaitAlerts(int n) throws InterruptedException {
        Await.that(n + " alerts").detail(() -> "bad signatures: " + badSignatures).until(Duration.ofSeconds(30), () -> alerts.size() >= n);
        return List.copyOf(alerts);
    }

    private HttpResponse<String> get(URI api, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(api.resolve(path)).header("X-Api-Key", apiKey).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI api, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(api.resolve(path)).header("X-Api-Key", apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String reveal() throws Exception {
        CliHarness.Result r = cli.run("get", "secret://main/db/app#password", "--reveal");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.out().strip();
    }

    /** (actor, record) of the audit rows with that action, in seq order. */
    private List<String[]> auditRows(String action) throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + PG.port() + "/postgres",
                EmbeddedPostgresServer.ADMIN, EmbeddedPostgresServer.ADMIN_PASSWORD);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT actor, record FROM " + auditTable() + " WHERE action = '" + action + "' ORDER BY seq")) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return rows;
    }
}
