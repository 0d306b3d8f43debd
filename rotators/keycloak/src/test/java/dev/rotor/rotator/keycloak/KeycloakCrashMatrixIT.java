package dev.rotor.rotator.keycloak;

import static dev.rotor.rotator.keycloak.Fixture.clientId;
import static dev.rotor.rotator.keycloak.Fixture.clientSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
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
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix: a child JVM ({@link CrashChild}) rotates a secret on the real Keycloak and is
 * killed with SIGKILL right after each step, for each strategy, routine and emergency. While it
 * hangs, another engine is refused with "rotation in progress"; once it is dead, its lease still
 * blocks until it expires; then a fresh engine resumes. In every case the end state has a CURRENT
 * that works against Keycloak, no PENDING, PREVIOUS as the strategy promises, and an audit trail
 * that shows the resume.
 */
class KeycloakCrashMatrixIT {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration CHILD_PATIENCE = Duration.ofMinutes(3);
    private static final String PATH = "apps/billing/oauth";

    @TempDir
    Path tmp;

    private KeycloakTestAdmin kc;
    private Fixture f;
    private MasterKey key;
    private Path storeDir;
    private Path auditFile;
    private Path childOutput;

    @BeforeEach
    void setUp() throws IOException {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        f = new Fixture(kc, "crash").rotatorClient();
        key = MasterKey.generate();
        storeDir = Files.createDirectories(tmp.resolve("store"));
        auditFile = tmp.resolve("audit.jsonl");
        childOutput = tmp.resolve("child.out");
    }

    @AfterEach
    void dropRealm() {
        kc.deleteRealm(f.realm);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (KeycloakStrategy strategy : List.of(KeycloakStrategy.DUAL_SECRET, KeycloakStrategy.ALTERNATING)) {
            for (Step step : List.of(Step.PREPARE, Step.CREATE, Step.APPLY, Step.VERIFY, Step.PROMOTE, Step.NOTIFY)) {
                cases.add(Arguments.of(strategy, step, false));
            }
            for (Step step : List.of(Step.APPLY, Step.PROMOTE, Step.NOTIFY, Step.RETIRE)) {
                cases.add(Arguments.of(strategy, step, true));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, killed after {1}, emergency={2}")
    @MethodSource("cases")
    void aKilledRunIsResumedByAFreshProcess(KeycloakStrategy strategy, Step killAfter, boolean emergency) throws Exception {
        List<String> clients = strategy == KeycloakStrategy.DUAL_SECRET ? List.of("billing") : List.of("billing-a", "billing-b");
        if (strategy == KeycloakStrategy.DUAL_SECRET) {
            kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        }
        String s0 = f.target(clients.get(0));
        if (clients.size() == 2) {
            f.target(clients.get(1));
        }
        String initialId;
        try (LocalSecretStore store = openStore(Clock.systemUTC())) {
            initialId = store.put(PATH, SecretValue.ofFields(Map.of("clientId", clients.get(0), "clientSecret", s0)), PutOptions.current()).id();
        }

        Process child = startChild(strategy, clients, killAfter, emergency);
        try {
            awaitStopped(child, killAfter);

            // the child is alive and holds the lease (and the audit file): a second process is told so
            try (Session other = session(Clock.systemUTC(), "second-process", tmp.resolve("audit-second.jsonl"))) {
                assertThatThrownBy(() -> other.engine.rotate(PATH, rotator(strategy, clients), RotationRequest.scheduled()))
                        .isInstanceOf(RotationInProgressException.class)
                        .hasMessageContaining("rotation in progress")
                        .hasMessageContaining("crash-child-" + child.pid());
            }
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        // dead, but its lease has not expired yet: still blocked
        try (Session early = session(Clock.systemUTC(), "early-process")) {
            assertThatThrownBy(() -> early.engine.resume(PATH, rotator(strategy, clients)))
                    .isInstanceOf(RotationInProgressException.class);
        }

        // a fresh process once the lease has expired (its clock ahead rather than waiting)
        Clock later = Clock.offset(Clock.systemUTC(), LEASE.plusSeconds(5));
        RotationResult resumed;
        Secret current;
        Optional<Secret> previous;
        try (Session fresh = session(later, "fresh-process")) {
            resumed = fresh.engine.resume(PATH, rotator(strategy, clients));
            current = fresh.store.get(PATH, Selector.stage(Stage.CURRENT));
            previous = previous(fresh.store);
            assertThat(fresh.store.versions(PATH)).as("no orphaned PENDING").noneMatch(v -> v.has(Stage.PENDING));
        }

        assertThat(kc.tokenWorks(f.realm, clientId(current), clientSecret(current))).as("CURRENT works against Keycloak").isTrue();
        boolean promotedBeforeTheKill = killAfter.compareTo(Step.PROMOTE) >= 0;
        boolean rolledForward = killAfter == Step.APPLY || killAfter == Step.VERIFY;
        if (killAfter == Step.PREPARE || killAfter == Step.CREATE) {
            assertThat(resumed).isInstanceOf(RotationResult.RolledBack.class);
            assertThat(current.version().id()).isEqualTo(initialId);
            assertThat(kc.secret(f.realm, clients.get(0))).as("Keycloak untouched").isEqualTo(s0);
        } else {
            assertThat(resumed).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
                assertThat(s.resumed()).isTrue();
                if (killAfter != Step.RETIRE) { // after RETIRE the PREVIOUS stage, which names it, is gone
                    assertThat(s.previousVersionId()).isEqualTo(initialId);
                }
            });
            assertThat(current.version().id()).isNotEqualTo(initialId);
            assertThat(rolledForward || promotedBeforeTheKill).isTrue();
            if (emergency) {
                assertThat(kc.tokenWorks(f.realm, clients.get(0), s0)).as("emergency: the old secret is revoked").isFalse();
            } else {
                assertThat(previous).as("PREVIOUS").isPresent();
                assertThat(kc.tokenWorks(f.realm, clients.get(0), s0)).as("PREVIOUS still works (%s)", strategy).isTrue();
            }
        }
        assertThat(auditedStarts()).as("the audit shows the resume")
                .anySatisfy(detail -> assertThat(detail).contains("resumed at"));
        String output = Files.readString(childOutput, StandardCharsets.UTF_8);
        assertThat(output).as("child output").doesNotContain(s0).doesNotContain(clientSecret(current)).doesNotContain(f.rotatorSecret);

        // and the secret rotates normally afterwards
        try (Session again = session(later, "fresh-process")) {
            RotationResult next = again.engine.rotate(PATH, rotator(strategy, clients), RotationRequest.scheduled());
            assertThat(next).isInstanceOf(RotationResult.Succeeded.class);
            Secret now = again.store.get(PATH, Selector.stage(Stage.CURRENT));
            assertThat(kc.tokenWorks(f.realm, clientId(now), clientSecret(now))).isTrue();
        }
    }

    private LocalSecretStore openStore(Clock clock) {
        return LocalSecretStore.open("crash", storeDir, key, clock);
    }

    /** One process's view: the shared store and audit file, and an engine on them. */
    private record Session(LocalSecretStore store, JsonlAuditSink audit, RotationEngine engine) implements AutoCloseable {
        @Override
        public void close() {
            audit.close();
            store.close();
        }
    }

    private Session session(Clock clock, String holder) {
        return session(clock, holder, auditFile);
    }

    private Session session(Clock clock, String holder, Path auditTo) {
        LocalSecretStore store = openStore(clock);
        JsonlAuditSink audit = JsonlAuditSink.open(auditTo, JsonlAuditSink.Options.defaults());
        RotationEngine engine = RotationEngine.builder(store).clock(clock).holder(holder)
                .options(RotationOptions.defaults().withLeaseDuration(LEASE))
                .auditSink(audit)
                .build();
        return new Session(store, audit, engine);
    }

    private KeycloakClientSecretRotator rotator(KeycloakStrategy strategy, List<String> clients) {
        return f.rotator(strategy, clients.toArray(String[]::new)).build();
    }

    private static Optional<Secret> previous(LocalSecretStore store) {
        try {
            return Optional.of(store.get(PATH, Selector.stage(Stage.PREVIOUS)));
        } catch (SecretNotFoundException e) {
            return Optional.empty();
        }
    }

    private Process startChild(KeycloakStrategy strategy, List<String> clients, Step killAfter, boolean emergency) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                storeDir.toString(), auditFile.toString(), kc.server().toString(), f.realm, strategy.configName(),
                String.join(",", clients), PATH, killAfter.name(), Boolean.toString(emergency), Long.toString(LEASE.toSeconds()))
                .redirectErrorStream(true)
                .redirectOutput(childOutput.toFile());
        pb.environment().put("ROTOR_MASTER_KEY", key.toBase64());
        pb.environment().put(CrashChild.SECRET_ENV, f.rotatorSecret);
        return pb.start();
    }

    /** Polls the child's output until it says it stopped (a real process: there is nothing else to wait on). */
    private void awaitStopped(Process child, Step step) throws IOException, InterruptedException {
        Await.that("the child to stop after " + step).until(CHILD_PATIENCE, () -> {
            String out = Files.exists(childOutput) ? Files.readString(childOutput, StandardCharsets.UTF_8) : "";
            if (out.contains(CrashChild.STOPPED + step)) {
                return true;
            }
            if (!child.isAlive()) {
                throw new AssertionError("the child exited (" + child.exitValue() + ") before stopping after " + step + ":\n" + out);
            }
            return false;
        });
    }

    /** The detail of every ROTATION_STARTED record in the audit file. */
    private List<String> auditedStarts() throws IOException {
        List<String> details = new ArrayList<>();
        for (String line : Files.readAllLines(auditFile, StandardCharsets.UTF_8)) {
            JsonNode n = KeycloakTestAdmin.JSON.readTree(line);
            if ("ROTATION_STARTED".equals(n.path("action").asText())) {
                details.add(n.path("detail").asText());
            }
        }
        return details;
    }
}
