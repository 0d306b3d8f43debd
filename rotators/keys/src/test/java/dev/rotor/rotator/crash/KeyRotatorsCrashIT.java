package dev.rotor.rotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.Secret;
import dev.rotor.Stage;
import dev.rotor.audit.AuditLogVerifier;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.CrashHarness;
import dev.rotor.testkit.CrashMatrix;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix for the random-secret and signing-key rotators, with real processes: a child
 * JVM rotating a secret in a local store is killed with SIGKILL right after each step; a fresh
 * child resumes. Afterwards CURRENT works against the target, no PENDING is left, and the audit
 * log (one hash-chained file shared by the processes) shows the resume and still verifies.
 *
 * <p>Time passing between processes (a lease running out) is a clock offset given to the later
 * process, so no test waits for it.
 */
class KeyRotatorsCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY = Duration.ofDays(1).toSeconds();
    private static final long AFTER_LEASE = DAY + RotateInChild.LEASE.toSeconds() + 5;

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate();

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (KeyRotators kind : KeyRotators.values()) {
            for (Step step : CrashMatrix.KILL_POINTS) {
                out.add(Arguments.of(kind, step));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} killed after {1}")
    @MethodSource("matrix")
    void aProcessKilledAfterAnyStepIsResumedByAFreshOne(KeyRotators kind, Step step) throws IOException {
        String path = "crash/" + kind.name().toLowerCase(java.util.Locale.ROOT);
        seed(kind, path);

        CrashHarness.Outcome killed = child(kind, path, "rotate", DAY).killAfter(step);
        assertThat(killed.killed()).isTrue();
        assertThat(killed.exitCode()).isEqualTo(137);
        assertThat(killed.steps()).last().isEqualTo(step);
        String deadRun = startedRun(killed);

        CrashHarness.Outcome resumed = child(kind, path, "resume", AFTER_LEASE).run();

        assertThat(resumed.exitCode()).as("resume output %s", resumed.lines()).isZero();
        String expected = step == Step.PREPARE || step == Step.CREATE ? "RESULT RolledBack" : "RESULT Succeeded";
        assertThat(resumed.lines()).as("resume output").anyMatch(l -> l.startsWith(expected) && l.contains(deadRun));
        assertEndState(kind, path, deadRun);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(KeyRotators.class)
    void anEmergencyKilledAfterPromoteRetiresTheOldCredentialOnResume(KeyRotators kind) throws IOException {
        String path = "emergency/" + kind.name().toLowerCase(java.util.Locale.ROOT);
        seed(kind, path);
        Secret old = read(path);

        CrashHarness.Outcome killed = child(kind, path, "emergency", DAY).killAfter(Step.PROMOTE);
        String deadRun = startedRun(killed);
        assertThat(works(kind, path, old)).as("the old credential after PROMOTE, before RETIRE").isTrue();

        CrashHarness.Outcome resumed = child(kind, path, "resume", AFTER_LEASE).run();

        assertThat(resumed.lines()).anyMatch(l -> l.startsWith("RETIRED " + old.version().id()));
        assertThat(works(kind, path, old)).as("the old credential after the resumed emergency").isFalse();
        assertEndState(kind, path, deadRun);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(KeyRotators.class)
    void aSecondProcessIsRefusedWhileTheFirstRunsAndADeadHolderBlocksOnlyUntilItsLeaseEnds(KeyRotators kind) throws IOException {
        String path = "race/" + kind.name().toLowerCase(java.util.Locale.ROOT);
        seed(kind, path);
        String holder;
        String firstRun;
        try (CrashHarness.Paused first = child(kind, path, "rotate", DAY).pauseAfter(Step.APPLY)) {
            holder = "child-" + first.pid();
            firstRun = first.lines().stream().filter(l -> l.startsWith("STARTED ")).findFirst().orElseThrow().split(" ")[1];

            // Another daemon: its own audit log (a log file belongs to one process at a time).
            CrashHarness.Outcome second = child(kind, path, "rotate", DAY, tmp.resolve("audit-second.jsonl")).run();

            assertThat(second.exitCode()).isEqualTo(3);
            assertThat(second.lines()).singleElement().asString()
                    .startsWith("IN_PROGRESS rotation in progress for secret://local/" + path + " held by " + holder + " until ");
            first.kill();
        }

        CrashHarness.Outcome third = child(kind, path, "rotate", AFTER_LEASE).run();

        assertThat(third.exitCode()).isZero();
        assertThat(third.lines()).contains("STARTED " + firstRun + " APPLY");
        // It finishes the dead run's work first (for signing keys its own run then waits for the
        // new next key's cache TTL and is refused at PREPARE; random secrets rotate again at once).
        assertThat(third.lines()).anyMatch(l -> l.startsWith("SUCCEEDED " + firstRun + " "));
        assertEndState(kind, path, firstRun);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void assertEndState(KeyRotators kind, String path, String resumedRun) throws IOException {
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir(), key, Clock.systemUTC())) {
            Secret current = store.get(path);
            assertThat(kind.works(store, path, current.value())).as("CURRENT works against the target").isTrue();
            assertThat(store.versions(path)).as("no orphaned PENDING").noneMatch(v -> v.has(Stage.PENDING));
        }
        List<JsonNode> audit = new ArrayList<>();
        for (String line : Files.readAllLines(auditFile())) {
            audit.add(JSON.readTree(line));
        }
        assertThat(audit).as("the audit shows the resume").anySatisfy(a -> {
            assertThat(a.path("action").asText()).isEqualTo("ROTATION_STARTED");
            assertThat(a.path("requestId").asText()).isEqualTo(resumedRun);
            assertThat(a.path("detail").asText()).contains("resumed at");
        });
        assertThat(AuditLogVerifier.verify(auditFile()).ok()).as("the audit chain verifies across the processes").isTrue();
    }

    private boolean works(KeyRotators kind, String path, Secret credential) {
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir(), key, Clock.systemUTC())) {
            return kind.works(store, path, credential.value());
        }
    }

    private Secret read(String path) {
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir(), key, Clock.systemUTC())) {
            return store.get(path);
        }
    }

    /** The first credential, made by a rotation in this process (not audited: the children own the log). */
    private void seed(KeyRotators kind, String path) {
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir(), key, Clock.systemUTC())) {
            RotationEngine engine = RotationEngine.builder(store).holder("seed").build();
            assertThat(engine.rotate(path, kind.rotator(store, path), RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
        }
    }

    private CrashHarness child(KeyRotators kind, String path, String mode, long clockOffsetSeconds) {
        return child(kind, path, mode, clockOffsetSeconds, auditFile());
    }

    private CrashHarness child(KeyRotators kind, String path, String mode, long clockOffsetSeconds, Path audit) {
        return CrashHarness.builder(RotateInChild.class)
                .args(kind.name(), storeDir().toString(), audit.toString(), path, mode, Long.toString(clockOffsetSeconds))
                .env("ROTOR_MASTER_KEY", key.toBase64())
                .jvmOption("-Dlogback.configurationFile=" + resource("crash-child-logback.xml"))
                .logDirectory(tmp.resolve("logs"))
                .timeout(Duration.ofSeconds(90))
                .build();
    }

    private static String startedRun(CrashHarness.Outcome o) {
        return o.lines().stream().filter(l -> l.startsWith("STARTED ")).findFirst().orElseThrow().split(" ")[1];
    }

    private Path storeDir() {
        return tmp.resolve("store");
    }

    private Path auditFile() {
        return tmp.resolve("audit.jsonl");
    }

    private static String resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(KeyRotatorsCrashIT.class.getResource("/" + name), name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
