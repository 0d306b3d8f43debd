package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.audit.AuditLogVerifier;
import dev.rotor.audit.AuditVerification;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.CrashHarness;
import dev.rotor.testkit.CrashMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix against the real server: a child JVM rotates a credential kept in a local
 * store and is killed with SIGKILL right after each step; then a fresh JVM, running past the dead
 * holder's lease, resumes. Every case must end with a CURRENT that logs in, no PENDING left, an
 * audit log that verifies and shows the resume (or the rollback), and a next rotation that runs.
 *
 * <p>Also: two processes on one secret (the second is told "rotation in progress"), and a killed
 * holder that blocks the next run no longer than its lease.
 */
class MariaDbCrashMatrixIT extends MariaDbTestSupport {

    private static final String PATH = "db/app";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Past the lease of a run that died just now. */
    private static final long LATER = RotationChild.LEASE.plusSeconds(5).toSeconds();

    @TempDir
    Path dir;

    private Path storeDir;
    private Path keyFile;
    private Path auditFile;

    @BeforeEach
    void files() {
        storeDir = dir.resolve("store");
        keyFile = dir.resolve("master.key");
        auditFile = dir.resolve("audit.jsonl");
        MasterKey.writeNew(keyFile).destroy();
    }

    static Stream<Arguments> cases() {
        return CrashMatrix.withEmergency(List.of(Strategy.SINGLE_USER, Strategy.ALTERNATING_USERS));
    }

    @ParameterizedTest(name = "{0}, killed after {1}, emergency={2}")
    @MethodSource("cases")
    void aRunKilledAfterAnyStepIsResumedByAFreshProcess(Strategy strategy, Step killedAfter, boolean emergency) throws Exception {
        List<String> users = users(strategy);
        Login initial = new Login(users.get(0), "Crash-initial-0");
        putCurrent(initial);

        CrashHarness.Outcome killed = child(emergency ? "emergency" : "rotate", strategy, users, 0, "dying").killAfter(killedAfter);
        assertThat(killed.killed()).isTrue();
        assertThat(killed.exitCode()).as("SIGKILL").isEqualTo(137);
        String runId = startedRun(killed);

        CrashHarness.Outcome resumed = child("resume", strategy, users, LATER, "fresh-process").run();
        assertThat(resumed.exitCode()).as("the resuming process: %s, log %s", resumed.lines(), resumed.log()).isZero();

        boolean reachedTarget = killedAfter.compareTo(Step.APPLY) >= 0;
        assertThat(resumed.lines()).contains("RESULT " + (reachedTarget ? "Succeeded" : "RolledBack") + " " + runId);

        Login current;
        try (LocalSecretStore store = openStore()) {
            current = login(store.get(PATH, Selector.CURRENT));
            assertThat(server().canLogIn(current.username(), current.password())).as("CURRENT logs in").isTrue();
            assertThat(store.versions(PATH)).as("no PENDING left").noneMatch(v -> v.has(Stage.PENDING));
        }
        if (!reachedTarget) {
            assertThat(current).as("CURRENT is still the initial credential").isEqualTo(initial);
            assertThat(server().canLogIn(initial.username(), initial.password())).isTrue();
        } else if (emergency || strategy == Strategy.SINGLE_USER) {
            assertThat(server().canLogIn(initial.username(), initial.password())).as("the replaced credential").isFalse();
        } else {
            assertThat(server().canLogIn(initial.username(), initial.password())).as("PREVIOUS of alternating users").isTrue();
        }

        List<JsonNode> ofRun = auditLines().stream().filter(l -> runId.equals(l.path("requestId").asText())).toList();
        assertThat(ofRun).anySatisfy(l -> {
            assertThat(l.path("action").asText()).isEqualTo("ROTATION_STARTED");
            assertThat(l.path("detail").asText()).contains("resumed at", "holder=fresh-process");
        });
        assertThat(ofRun).anySatisfy(l -> assertThat(l.path("action").asText()).isEqualTo(reachedTarget ? "ROTATION_SUCCEEDED" : "ROTATION_ROLLED_BACK"));
        if (reachedTarget && emergency) {
            assertThat(ofRun).anySatisfy(l -> assertThat(l.path("action").asText()).isEqualTo("ROTATION_RETIRED"));
        }
        AuditVerification verification = AuditLogVerifier.verify(auditFile);
        assertThat(verification.problems()).isEmpty();
        assertThat(verification.ok()).isTrue();

        CrashHarness.Outcome next = child("rotate", strategy, users, LATER, "next").run();
        assertThat(next.exitCode()).as("the next rotation: %s", next.lines()).isZero();
        try (LocalSecretStore store = openStore()) {
            Login after = login(store.get(PATH, Selector.CURRENT));
            assertThat(after).isNotEqualTo(current);
            assertThat(server().canLogIn(after.username(), after.password())).isTrue();
        }
    }

    @Test
    void aKilledHolderBlocksTheNextRunNoLongerThanItsLease() throws Exception {
        List<String> users = users(Strategy.SINGLE_USER);
        putCurrent(new Login(users.get(0), "Crash-initial-0"));
        child("rotate", Strategy.SINGLE_USER, users, 0, "dying").killAfter(Step.APPLY);

        CrashHarness.Outcome blocked = child("rotate", Strategy.SINGLE_USER, users, 0, "second").run();
        assertThat(blocked.exitCode()).isEqualTo(3);
        assertThat(blocked.lines()).anySatisfy(l -> assertThat(l).startsWith("IN_PROGRESS rotation in progress for secret://local/" + PATH)
                .contains("held by dying"));

        CrashHarness.Outcome later = child("rotate", Strategy.SINGLE_USER, users, LATER, "later").run();
        assertThat(later.exitCode()).as(later.lines().toString()).isZero();
        assertThat(later.lines()).anySatisfy(l -> assertThat(l).startsWith("RESULT Succeeded"));
        try (LocalSecretStore store = openStore()) {
            Login current = login(store.get(PATH, Selector.CURRENT));
            assertThat(server().canLogIn(current.username(), current.password())).isTrue();
            assertThat(store.versions(PATH)).noneMatch(v -> v.has(Stage.PENDING));
        }
    }

    @Test
    void twoProcessesAtOnceOneRunsTheOtherIsToldARotationIsInProgress() throws Exception {
        List<String> users = users(Strategy.ALTERNATING_USERS);
        putCurrent(new Login(users.get(0), "Crash-initial-0"));
        CountDownLatch applied = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<RotationResult> first;
        try (LocalSecretStore store = openStore();
                MariaDbPasswordRotator rotator = rotator(settings(Strategy.ALTERNATING_USERS).users(users.get(0), users.get(1)))) {
            RotationEngine engine = RotationEngine.builder(store).holder("this-process")
                    .options(RotationOptions.defaults().withLeaseDuration(RotationChild.LEASE))
                    .listener(e -> {
                        if (e instanceof RotationEvent.StepCompleted s && s.step() == Step.APPLY) {
                            applied.countDown();
                            await(release);
                        }
                    })
                    .build();
            first = CompletableFuture.supplyAsync(() -> engine.rotate(PATH, rotator, RotationRequest.scheduled()));
            assertThat(applied.await(60, TimeUnit.SECONDS)).isTrue();

            CrashHarness.Outcome second = child("rotate", Strategy.ALTERNATING_USERS, users, 0, "other-process").run();

            release.countDown();
            assertThat(second.exitCode()).isEqualTo(3);
            assertThat(second.lines()).anySatisfy(l -> assertThat(l).startsWith("IN_PROGRESS rotation in progress for secret://local/" + PATH)
                    .contains("held by this-process"));
            assertThat(first.get(60, TimeUnit.SECONDS)).isInstanceOf(RotationResult.Succeeded.class);
            Login current = login(store.get(PATH, Selector.CURRENT));
            assertThat(current.username()).isEqualTo(users.get(1));
            assertThat(server().canLogIn(current.username(), current.password())).isTrue();
        }
    }

    // ------------------------------------------------------------------ helpers

    private List<String> users(Strategy strategy) {
        String a = account(uniqueUser("crash_a"), "Crash-initial-0");
        if (strategy == Strategy.SINGLE_USER) {
            return List.of(a);
        }
        return List.of(a, account(uniqueUser("crash_b"), "Crash-other-0"));
    }

    private CrashHarness child(String mode, Strategy strategy, List<String> users, long clockOffsetSeconds, String holder) {
        AdminCredentials admin = server().admin();
        return CrashHarness.builder(RotationChild.class)
                .args(mode, storeDir.toString(), keyFile.toString(), auditFile.toString(), server().jdbcUrl(), strategy.id(),
                        String.join(",", users), PATH, Long.toString(clockOffsetSeconds), holder)
                .env("MARIADB_ADMIN_USER", admin.username())
                .env("MARIADB_ADMIN_PASSWORD", admin.password().asUtf8())
                .jvmOption("-Dlogback.configurationFile=" + Path.of("target", "test-classes", "child-logback.xml").toAbsolutePath())
                .timeout(Duration.ofSeconds(90))
                .build();
    }

    private LocalSecretStore openStore() {
        return LocalSecretStore.open("local", storeDir, MasterKey.read(keyFile), Clock.systemUTC());
    }

    private void putCurrent(Login login) {
        try (LocalSecretStore store = openStore()) {
            store.put(PATH, SecretValue.ofFields(Map.of("username", login.username(), "password", login.password())), PutOptions.current());
        }
    }

    private static Login login(Secret secret) {
        return new Login(TestSecrets.field(secret, "username"), TestSecrets.field(secret, "password"));
    }

    private static String startedRun(CrashHarness.Outcome outcome) {
        return outcome.lines().stream().filter(l -> l.startsWith("STARTED ")).map(l -> l.split(" ")[1]).findFirst()
                .orElseThrow(() -> new AssertionError("the child started no run: " + outcome.lines()));
    }

    private List<JsonNode> auditLines() {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(auditFile)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
