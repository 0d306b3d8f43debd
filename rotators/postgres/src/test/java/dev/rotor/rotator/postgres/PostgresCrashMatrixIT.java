package dev.rotor.rotator.postgres;

import static dev.rotor.rotator.postgres.PostgresTestSettings.adminCredentials;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditLogVerifier;
import dev.rotor.audit.AuditVerification;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Await;
import dev.rotor.testkit.CrashMatrix;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix: a child JVM rotates a PostgreSQL credential kept in a local store and is
 * killed with SIGKILL right after each step; then a fresh engine (in this process, with a clock
 * past the dead holder's lease) resumes. Every case must end with a CURRENT that logs in, no
 * PENDING left, an audit log that verifies and shows how the dead run ended, and a next
 * rotation that runs normally.
 *
 * <p>Also two processes on one secret: the second gets "rotation in progress" while the first
 * holds the lease, and once the first is killed its lease does not block the next run for
 * longer than the lease.
 */
class PostgresCrashMatrixIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String PATH = "db/app";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final MasterKey key = MasterKey.generate();

    static Stream<Arguments> cases() {
        return CrashMatrix.withEmergency(List.of(Strategy.values()));
    }

    @ParameterizedTest(name = "{0}, killed after {1}, emergency={2}")
    @MethodSource("cases")
    void aRunKilledAfterAnyStepIsResumedByAFreshProcess(Strategy strategy, Step killedAfter, boolean emergency) throws Exception {
        List<String> roles = roles(strategy);
        Login initial = initialCredential(roles);
        Path storeDir = dir.resolve("store");
        Path auditFile = dir.resolve("audit.jsonl");
        putCurrent(storeDir, initial);

        Child child = start(storeDir, auditFile.toString(), strategy, roles, killedAfter.name(), emergency);
        child.awaitStopThenKill();

        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir, key, Clock.systemUTC());
                JsonlAuditSink audit = JsonlAuditSink.open(auditFile, JsonlAuditSink.Options.defaults());
                PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings(strategy, roles), adminCredentials())) {
            RotationEngine fresh = RotationEngine.builder(store)
                    .auditSink(audit)
                    .holder("fresh-process")
                    .clock(pastTheLease())
                    .options(RotationOptions.defaults().withLeaseDuration(RotationChild.LEASE))
                    .build();

            String runId = child.runId(auditFile);
            RotationResult resumed = fresh.resume(PATH, rotator);

            boolean reachedTarget = killedAfter.compareTo(Step.APPLY) >= 0;
            if (reachedTarget) {
                assertThat(resumed).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
                    assertThat(s.resumed()).isTrue();
                    assertThat(s.runId()).isEqualTo(runId);
                });
            } else {
                assertThat(resumed).isInstanceOfSatisfying(RotationResult.RolledBack.class,
                        r -> assertThat(r.runId()).isEqualTo(runId));
            }

            Login current = login(store.get(PATH, Selector.CURRENT));
            assertThat(PG.canLogin(current.username(), current.password().asUtf8())).as("CURRENT logs in").isTrue();
            assertThat(pendingOf(store)).as("no PENDING left").isEmpty();
            if (reachedTarget && emergency) {
                assertThat(PG.canLogin(initial.username(), initial.password().asUtf8())).as("the leaked credential is revoked").isFalse();
            } else if (reachedTarget && strategy == Strategy.ALTERNATING) {
                assertThat(PG.canLogin(initial.username(), initial.password().asUtf8())).as("PREVIOUS still works").isTrue();
            } else if (!reachedTarget) {
                assertThat(current.username()).isEqualTo(initial.username());
                assertThat(current.password()).isEqualTo(initial.password());
            }

            // The audit trail shows the dead run and how it ended.
            List<JsonNode> ofRun = auditLines(auditFile).stream().filter(l -> runId.equals(l.path("requestId").asText())).toList();
            assertThat(ofRun).anySatisfy(l -> assertThat(l.path("action").asText()).isEqualTo("ROTATION_STARTED"));
            if (reachedTarget) {
                assertThat(ofRun).anySatisfy(l -> {
                    assertThat(l.path("action").asText()).isEqualTo("ROTATION_STARTED");
                    assertThat(l.path("detail").asText()).contains("resumed at").contains("holder=fresh-process");
                });
                assertThat(ofRun).anySatisfy(l -> assertThat(l.path("action").asText()).isEqualTo("ROTATION_SUCCEEDED"));
            } else {
                assertThat(ofRun).anySatisfy(l -> assertThat(l.path("action").asText()).isEqualTo("ROTATION_ROLLED_BACK"));
            }

            // And nothing blocks the next rotation.
            RotationResult next = fresh.rotate(PATH, rotator, RotationRequest.scheduled());
            assertThat(next).isInstanceOf(RotationResult.Succeeded.class);
            Login after = login(store.get(PATH, Selector.CURRENT));
            assertThat(PG.canLogin(after.username(), after.password().asUtf8())).isTrue();
        }
        AuditVerification verification = AuditLogVerifier.verify(auditFile);
        assertThat(verification.problems()).isEmpty();
        assertThat(verification.ok()).isTrue();
    }

    @Test
    void aSecondProcessGetsRotationInProgressAndAKilledHolderBlocksNoLongerThanItsLease() throws Exception {
        List<String> roles = roles(Strategy.SINGLE_USER);
        Login initial = initialCredential(roles);
        Path storeDir = dir.resolve("store");
        putCurrent(storeDir, initial);

        Child holder = start(storeDir, dir.resolve("audit-first.jsonl").toString(), Strategy.SINGLE_USER, roles, Step.APPLY.name(), false);
        holder.awaitStop();

        Child second = start(storeDir, "-", Strategy.SINGLE_USER, roles, "none", false);
        assertThat(second.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process.exitValue()).as(second.output()).isEqualTo(3);
        assertThat(second.output()).contains("IN_PROGRESS rotation in progress for secret://local/" + PATH + " held by child-"
                + holder.process.pid());

        holder.kill();

        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir, key, Clock.systemUTC());
                PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings(Strategy.SINGLE_USER, roles), adminCredentials())) {
            RotationOptions options = RotationOptions.defaults().withLeaseDuration(RotationChild.LEASE);
            RotationEngine now = RotationEngine.builder(store).holder("now").options(options).build();
            assertThatThrownBy(() -> now.rotate(PATH, rotator, RotationRequest.scheduled()))
                    .isInstanceOf(RotationInProgressException.class)
                    .hasMessageContaining("held by child-" + holder.process.pid());

            RotationEngine later = RotationEngine.builder(store).holder("later").options(options).clock(pastTheLease()).build();
            RotationResult result = later.rotate(PATH, rotator, RotationRequest.scheduled());

            assertThat(result).isInstanceOf(RotationResult.Succeeded.class);
            Login current = login(store.get(PATH, Selector.CURRENT));
            assertThat(PG.canLogin(current.username(), current.password().asUtf8())).isTrue();
            assertThat(pendingOf(store)).isEmpty();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Clock pastTheLease() {
        return Clock.offset(Clock.systemUTC(), RotationChild.LEASE.plusSeconds(5));
    }

    private static List<String> roles(Strategy strategy) {
        int n = IDS.incrementAndGet();
        return strategy == Strategy.SINGLE_USER ? List.of("crash_" + n) : List.of("crash_a_" + n, "crash_b_" + n);
    }

    private static PostgresRotatorSettings settings(Strategy strategy, List<String> roles) {
        PostgresRotatorSettings.Builder b = PostgresTestSettings.settings(PG);
        return (strategy == Strategy.SINGLE_USER ? b.singleUser(roles.get(0)) : b.alternating(roles.get(0), roles.get(1))).build();
    }

    private Login initialCredential(List<String> roles) {
        String password = new PasswordGenerator(32).generate().asUtf8();
        PG.admin("CREATE ROLE " + roles.get(0) + " LOGIN");
        PG.setPassword(roles.get(0), password);
        if (roles.size() > 1) {
            PG.admin("CREATE ROLE " + roles.get(1) + " NOLOGIN");
        }
        return new Login(roles.get(0), SecretValue.ofUtf8(password));
    }

    private void putCurrent(Path storeDir, Login login) {
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir, key, Clock.systemUTC())) {
            store.put(PATH, SecretValue.ofFields(Map.of("username", login.username(), "password", login.password().asUtf8())),
                    PutOptions.current());
        }
    }

    private static Login login(Secret s) {
        return new Login(s.value().field("username").asUtf8(), s.value().field("password"));
    }

    private static List<VersionInfo> pendingOf(LocalSecretStore store) {
        try {
            return store.versions(PATH).stream().filter(v -> v.has(Stage.PENDING) && !v.has(Stage.CURRENT)).toList();
        } catch (SecretNotFoundException e) {
            return List.of();
        }
    }

    private static List<JsonNode> auditLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private Child start(Path storeDir, String auditFile, Strategy strategy, List<String> roles, String stopAfter, boolean emergency)
            throws IOException {
        Path marker = dir.resolve("stopped-" + IDS.incrementAndGet());
        Path output = dir.resolve("child-" + IDS.incrementAndGet() + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), RotationChild.class.getName(),
                storeDir.toString(), auditFile, String.valueOf(PG.port()), strategy.id(), String.join(",", roles), PATH,
                stopAfter, marker.toString(), emergency ? "emergency" : "routine")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().put("ROTOR_MASTER_KEY", key.toBase64());
        pb.environment().put("PG_ADMIN_USER", EmbeddedPostgresPeer.ADMIN);
        pb.environment().put("PG_ADMIN_PASSWORD", EmbeddedPostgresPeer.ADMIN_PASSWORD);
        return new Child(pb.start(), marker, output);
    }

    /** A child JVM running {@link RotationChild}. */
    private record Child(Process process, Path marker, Path log) {

        /** Polls for the marker the child writes once it stopped after its step (a real process: no clock to fake). */
        void awaitStop() throws Exception {
            Await.that("the child to stop").detail(this::output).until(Duration.ofSeconds(120), () -> {
                if (Files.exists(marker)) {
                    return true;
                }
                assertThat(process.isAlive()).as("the child exited before stopping:\n%s", output()).isTrue();
                return false;
            });
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Linux
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        void awaitStopThenKill() throws Exception {
            try {
                awaitStop();
            } finally {
                kill();
            }
            assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<no output: " + e + ">";
            }
        }

        /** The run id the child's rotation had, from its Started record in the audit log. */
        String runId(Path auditFile) throws IOException {
            return auditLines(auditFile).stream()
                    .filter(l -> "ROTATION_STARTED".equals(l.path("action").asText()))
                    .filter(l -> l.path("detail").asText().contains("holder=child-" + process.pid()))
                    .map(l -> l.path("requestId").asText())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no Started record of the child in the audit log"));
        }
    }
}
