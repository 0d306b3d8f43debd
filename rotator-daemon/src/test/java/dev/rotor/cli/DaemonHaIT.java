package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.rotation.RunState;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.testkit.Await;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code rotor daemon} processes share one clustered Quartz job store on PostgreSQL and one
 * store. 200 secrets fall due together (spread by a 6 s jitter); one daemon is killed with
 * SIGKILL midway. Every secret must be rotated exactly once, as both the audit logs and the
 * store's versions show, and the survivor must finish everything, including the dead node's
 * runs, within 15 s of the kill.
 */
class DaemonHaIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SECRETS = 200;
    // Writing the 200 secrets and starting two JVMs must fit in it on a loaded 2-core machine.
    private static final Duration LEAD = Duration.ofSeconds(60);
    private static final Duration TAKEOVER = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
    }

    private String config(String node) {
        StringBuilder policies = new StringBuilder();
        for (int i = 0; i < SECRETS; i++) {
            policies.append("  - { name: p%03d, ref: secret://main/ha/s%03d, rotator: key, interval: 1d, jitter: 6s, grace: 1h }\n".formatted(i, i));
        }
        return """
                stores:
                  main: { type: local, path: ./store, keyFile: ./master.key }
                audit:
                  file: ./audit-%s.jsonl
                rotators:
                  key: { type: random-secret }
                scheduler:
                  store: jdbc
                  jdbc: { url: "%s", usernameEnv: QUARTZ_DB_USER, passwordEnv: QUARTZ_DB_PASSWORD }
                  instanceId: %s
                  checkinInterval: 1s
                  threads: 3
                  leaseDuration: 4s
                policies:
                """.formatted(node, PG.url(), node) + policies;
    }

    private Process start(String node) throws IOException {
        Files.writeString(dir.resolve(node + ".yaml"), config(node));
        ProcessBuilder pb = new ProcessBuilder(RotorProcess.JAVA.toString(), "-Xmx256m", "-jar", RotorProcess.JAR.toString(),
                "--config", node + ".yaml", "daemon")
                .directory(dir.toFile())
                .redirectOutput(dir.resolve(node + ".out").toFile())
                .redirectError(dir.resolve(node + ".err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_"));
        pb.environment().put("QUARTZ_DB_USER", EmbeddedPostgresPeer.ADMIN);
        pb.environment().put("QUARTZ_DB_PASSWORD", EmbeddedPostgresPeer.ADMIN_PASSWORD);
        pb.environment().put("USER", "rotor");
        pb.environment().put("HOSTNAME", node);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /**
     * A wait on the two daemons; a failure shows their output. It polls every millisecond: one
     * wait must see a run under way on node A while the run is still going.
     */
    private Await await(String what) {
        return Await.that(what).pollEvery(Duration.ofMillis(1)).detail(() -> "--- node-a\n" + read("node-a.out") + read("node-a.err")
                + "\n--- node-b\n" + read("node-b.out") + read("node-b.err"));
    }

    private String read(String file) {
        try {
            Path p = dir.resolve(file);
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The complete audit records of a node's log (a line the kill cut short is left out). */
    private List<JsonNode> audit(String node) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : read("audit-" + node + ".jsonl").split("\n")) {
            try {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            } catch (IOException e) {
                // the last line of a killed writer
            }
        }
        return out;
    }

    private static int count(String text, String token) {
        int n = 0;
        for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + token.length())) {
            n++;
        }
        return n;
    }

    private static List<JsonNode> actions(List<JsonNode> audit, String action) {
        return audit.stream().filter(e -> action.equals(e.path("action").asText())).toList();
    }

    /** Paths whose run started in this log and has no end in it. */
    private static Set<String> unfinished(List<JsonNode> audit) {
        Map<String, String> open = new HashMap<>();
        for (JsonNode e : audit) {
            switch (e.path("action").asText()) {
                case "ROTATION_STARTED" -> open.put(e.path("requestId").asText(), e.path("path").asText());
                case "ROTATION_SUCCEEDED", "ROTATION_FAILED", "ROTATION_ROLLED_BACK" -> open.remove(e.path("requestId").asText());
                default -> { }
            }
        }
        return new TreeSet<>(open.values());
    }

    private long rotatedPaths() {
        Set<String> paths = new HashSet<>();
        for (String node : List.of("node-a", "node-b")) {
            actions(audit(node), "ROTATION_SUCCEEDED").forEach(e -> paths.add(e.path("path").asText()));
        }
        return paths.size();
    }

    @Test
    void twoDaemonsRotateEachSecretExactlyOnceAndTheSurvivorTakesOverAKilledNodesWork() throws Exception {
        CliHarness cli = new CliHarness(dir, ProviderRegistry.builder().register(new LocalStoreProvider()).build());
        assertThat(cli.run("keygen", "--out", "master.key").exitCode()).isZero();
        Instant dueAt = Instant.now().plus(LEAD);
        StoreConfig storeConfig = new StoreConfig("main", "local", Map.of("path", "./store", "keyFile", "./master.key"));
        // Written one day before dueAt: with a 1d interval every secret falls due at dueAt (plus jitter).
        Clock written = Clock.fixed(dueAt.minus(Duration.ofDays(1)), ZoneOffset.UTC);
        try (SecretStore store = new LocalStoreProvider().open(storeConfig, new StoreContext(written, name -> null, dir))) {
            for (int i = 0; i < SECRETS; i++) {
                store.put("ha/s%03d".formatted(i), SecretValue.ofUtf8("{\"value\":\"initial-%03d\"}".formatted(i)), PutOptions.current());
            }
        }

        Process a = start("node-a");
        start("node-b");
        await("both daemons ready").until(LEAD.minusSeconds(5), () -> read("node-a.out").contains("rotor daemon ready")
                && read("node-b.out").contains("rotor daemon ready"));
        assertThat(Instant.now()).as("both nodes were up before the secrets fell due").isBefore(dueAt);

        // Kill node A midway, at a moment its log shows a run under way.
        await("a quarter of the rotations").until(LEAD.plusSeconds(60), () -> rotatedPaths() >= SECRETS / 4);
        // A cheap check in a tight loop, so that the kill lands while the run is still going.
        await("a run under way on node A").until(Duration.ofSeconds(30), () -> {
            String log = read("audit-node-a.jsonl");
            return count(log, "\"ROTATION_STARTED\"")
                    > count(log, "\"ROTATION_SUCCEEDED\"") + count(log, "\"ROTATION_FAILED\"") + count(log, "\"ROTATION_ROLLED_BACK\"");
        });
        a.destroyForcibly();
        Instant killed = Instant.now();
        a.waitFor();
        assertThat(a.exitValue()).as("SIGKILL").isEqualTo(137);
        long doneBeforeKill = rotatedPaths();
        assertThat(doneBeforeKill).as("the kill came midway").isLessThan(SECRETS);

        // The survivor takes over after TAKEOVER; then it must keep making progress (a loaded
        // machine makes it slower, not stuck) until every secret is rotated.
        await("every secret rotated (" + SECRETS + ")").pollEvery(Duration.ofMillis(50))
                .whileProgressing(TAKEOVER.plusSeconds(30), this::rotatedPaths, n -> n >= SECRETS);

        List<JsonNode> auditA = audit("node-a");
        List<JsonNode> auditB = audit("node-b");
        Set<String> inFlightOnA = unfinished(auditA);
        List<JsonNode> succeeded = new ArrayList<>(actions(auditA, "ROTATION_SUCCEEDED"));
        succeeded.addAll(actions(auditB, "ROTATION_SUCCEEDED"));
        Map<String, Set<String>> runsByPath = new TreeMap<>();
        for (JsonNode e : succeeded) {
            runsByPath.computeIfAbsent(e.path("path").asText(), k -> new TreeSet<>()).add(e.path("requestId").asText());
        }
        assertThat(runsByPath).hasSize(SECRETS);
        assertThat(runsByPath).allSatisfy((path, runs) -> assertThat(runs).as("runs that rotated %s", path).hasSize(1));
        assertThat(actions(auditA, "ROTATION_SUCCEEDED")).as("node A worked").isNotEmpty();
        assertThat(actions(auditB, "ROTATION_SUCCEEDED")).as("node B worked").isNotEmpty();

        // The store agrees: CURRENT is the audited run's version and PREVIOUS the initial one, so
        // exactly one promotion happened (a dead run's discarded PENDING may remain in the history,
        // holding no stage).
        try (SecretStore store = new LocalStoreProvider().open(storeConfig, new StoreContext(Clock.systemUTC(), name -> null, dir))) {
            for (Map.Entry<String, Set<String>> e : runsByPath.entrySet()) {
                List<VersionInfo> versions = store.versions(e.getKey());
                VersionInfo current = versions.stream().filter(v -> v.has(Stage.CURRENT)).findFirst().orElseThrow();
                assertThat(RunState.of(current)).as("CURRENT of %s", e.getKey()).hasValueSatisfying(rs ->
                        assertThat(rs.runId()).isEqualTo(e.getValue().iterator().next()));
                VersionInfo previous = versions.stream().filter(v -> v.has(Stage.PREVIOUS)).findFirst().orElseThrow();
                assertThat(RunState.of(previous)).as("PREVIOUS of %s is the initial version", e.getKey()).isEmpty();
                assertThat(versions).as("versions of %s", e.getKey()).noneMatch(v -> v.has(Stage.PENDING));
            }
        }

        // The survivor finished the dead node's runs, and everything else, within 15 s of the kill.
        Map<String, Instant> lastSuccessOnB = new HashMap<>();
        for (JsonNode e : actions(auditB, "ROTATION_SUCCEEDED")) {
            lastSuccessOnB.merge(e.path("path").asText(), Instant.parse(e.path("time").asText()), (x, y) -> x.isAfter(y) ? x : y);
        }
        Set<String> unfinishedOnA = new TreeSet<>(inFlightOnA);
        unfinishedOnA.removeAll(actions(auditA, "ROTATION_SUCCEEDED").stream().map(e -> e.path("path").asText()).toList());
        assertThat(unfinishedOnA).as("node A had a run under way when it was killed").isNotEmpty();
        Duration takeover = Duration.ZERO;
        for (String path : unfinishedOnA) {
            assertThat(lastSuccessOnB).as("node B finished %s, left under way by node A", path).containsKey(path);
            Duration took = Duration.between(killed, lastSuccessOnB.get(path));
            assertThat(took).as("takeover of %s", path).isLessThanOrEqualTo(TAKEOVER);
            takeover = took.compareTo(takeover) > 0 ? took : takeover;
        }
        Instant last = lastSuccessOnB.values().stream().max(Instant::compareTo).orElseThrow();
        System.out.printf("HA: %d of %d rotated before the kill; %d runs under way on the killed node, finished by the survivor"
                        + " %d ms after the kill; last rotation %d ms after the kill%n",
                doneBeforeKill, SECRETS, unfinishedOnA.size(), takeover.toMillis(), Duration.between(killed, last).toMillis());
    }
}
