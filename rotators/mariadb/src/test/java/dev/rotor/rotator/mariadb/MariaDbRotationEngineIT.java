package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.peer.PeerProcess;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.RecordingAuditSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rotations driven by the {@link RotationEngine} against the real server: three in a row per
 * strategy with PREVIOUS checked after each, RETIRE after the grace period, and bad input that
 * must fail at PREPARE with a failure event and CURRENT untouched.
 */
class MariaDbRotationEngineIT extends MariaDbTestSupport {

    private static final String PATH = "db/app";
    private static final Duration GRACE = Duration.ofHours(1);

    private final TestClock clock = TestClock.startingNow();
    private final SecretStore store = new InMemorySecretStore("main", clock);
    private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
    private final RecordingAuditSink sink = new RecordingAuditSink();
    private final List<AuditEvent> audit = sink.events();
    private RotationEngine engine;

    @BeforeEach
    void engine() {
        engine = RotationEngine.builder(store).clock(clock).auditSink(sink).holder("engine-it")
                .options(RotationOptions.defaults().withGracePeriod(GRACE)).listener(events::add).build();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Secret putCurrent(String user, String password) {
        store.put(PATH, SecretValue.ofFields(Map.of("username", user, "password", password, "host", "db.internal")), PutOptions.current());
        return store.get(PATH, Selector.CURRENT);
    }

    private Secret current() {
        return store.get(PATH, Selector.CURRENT);
    }

    private boolean works(Secret secret) {
        return server().canLogIn(username(secret), password(secret));
    }

    @Test
    void singleUserThreeTimesPreviousStopsWorkingEachTime() {
        String user = account(uniqueUser("engine_single"), "Engine-single-0");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        Secret previous = putCurrent(user, "Engine-single-0");
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofDays(90));
            RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());
            assertThat(result).as("rotation %d", i).isInstanceOf(RotationResult.Succeeded.class);
            Secret now = current();
            assertThat(works(now)).as("CURRENT after rotation %d", i).isTrue();
            assertThat(works(previous)).as("PREVIOUS after single-user rotation %d", i).isFalse();
            assertThat(TestSecrets.field(now, "host")).as("other fields carry over").isEqualTo("db.internal");
            clock.advance(GRACE);
            assertThat(engine.retireDue(PATH, rotator)).isInstanceOf(RotationResult.Retired.class);
            assertThat(works(now)).isTrue();
            previous = now;
        }
    }

    @Test
    void alternatingThreeTimesPreviousWorksUntilTheNextRotation() {
        String role = uniqueUser("engine_role");
        server().exec("CREATE ROLE " + role);
        try {
            String blue = account(uniqueUser("engine_blue"), "Engine-blue-0", role);
            String green = account(uniqueUser("engine_green"), "Engine-green-0", role);
            MariaDbPasswordRotator rotator = rotator(settings(Strategy.ALTERNATING_USERS).users(blue, green));
            Secret twoBack = null;
            Secret previous = putCurrent(blue, "Engine-blue-0");
            for (int i = 1; i <= 3; i++) {
                clock.advance(Duration.ofDays(90));
                assertThat(engine.rotate(PATH, rotator, RotationRequest.scheduled())).as("rotation %d", i).isInstanceOf(RotationResult.Succeeded.class);
                Secret now = current();
                assertThat(username(now)).isNotEqualTo(username(previous));
                assertThat(works(now)).as("CURRENT after rotation %d", i).isTrue();
                assertThat(works(previous)).as("PREVIOUS after rotation %d", i).isTrue();
                if (twoBack != null) {
                    assertThat(works(twoBack)).as("the credential two rotations back, after rotation %d", i).isFalse();
                }
                clock.advance(GRACE);
                assertThat(engine.retireDue(PATH, rotator)).isInstanceOf(RotationResult.Retired.class);
                assertThat(works(previous)).as("PREVIOUS after RETIRE: valid until the next rotation").isTrue();
                twoBack = previous;
                previous = now;
            }
        } finally {
            server().exec("DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void anEmergencyRevokesThePreviousAccountAtOnce() {
        String blue = account(uniqueUser("engine_blue"), "Engine-blue-1");
        String green = account(uniqueUser("engine_green"), "Engine-green-1");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.ALTERNATING_USERS).users(blue, green));
        Secret leaked = putCurrent(blue, "Engine-blue-1");

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.emergency("oncall", "password pasted in a ticket"));

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
        assertThat(works(current())).isTrue();
        assertThat(works(leaked)).isFalse();
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RotationEvent.Retired.class,
                r -> assertThat(r.why()).isEqualTo("emergency: password pasted in a ticket")));
    }

    // ---- bad input: fails at PREPARE, a failure event, CURRENT untouched

    private void assertFailedAtPrepareWithNothingChanged(RotationResult result, Secret before, String messagePart) {
        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.message()).contains(messagePart);
        });
        assertThat(current().version().id()).isEqualTo(before.version().id());
        assertThat(store.versions(PATH)).noneMatch(v -> v.has(Stage.PENDING));
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RotationEvent.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.error()).contains(messagePart);
            assertThat(f.currentVersionId()).isEqualTo(before.version().id());
        }));
        assertThat(audit).anySatisfy(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.ROTATION_FAILED);
            assertThat(a.outcome()).isNotEqualTo(AuditOutcome.SUCCESS);
        });
    }

    @Test
    void unreachableServer() {
        String user = account(uniqueUser("engine_bad"), "Engine-bad-0");
        Secret before = putCurrent(user, "Engine-bad-0");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER)
                .jdbcUrl("jdbc:mariadb://127.0.0.1:" + PeerProcess.freeLoopbackPort() + "/").connectTimeout(Duration.ofSeconds(1)));

        assertFailedAtPrepareWithNothingChanged(engine.rotate(PATH, rotator, RotationRequest.scheduled()), before, "cannot be reached");
        assertThat(works(before)).isTrue();
    }

    @Test
    void wrongAdminCredentials() {
        String user = account(uniqueUser("engine_bad"), "Engine-bad-1");
        Secret before = putCurrent(user, "Engine-bad-1");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER),
                new AdminCredentials(MariaDbServer.ADMIN, SecretValue.ofUtf8("Wrong-admin-password")));

        assertFailedAtPrepareWithNothingChanged(engine.rotate(PATH, rotator, RotationRequest.scheduled()), before,
                "refused the login of admin 'rotor_admin'");
        assertThat(works(before)).isTrue();
    }

    @Test
    void missingAccount() {
        Secret before = putCurrent("engine_nobody", "Engine-bad-2");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));

        assertFailedAtPrepareWithNothingChanged(engine.rotate(PATH, rotator, RotationRequest.scheduled()), before,
                "account 'engine_nobody'@'%' does not exist");
    }

    @Test
    void insufficientPrivileges() {
        String user = account(uniqueUser("engine_bad"), "Engine-bad-3");
        String weak = account(uniqueUser("engine_weak"), "Engine-weak-3", "SELECT ON mysql.user");
        Secret before = putCurrent(user, "Engine-bad-3");
        String authBefore = server().authenticationString(user);
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER), new AdminCredentials(weak, SecretValue.ofUtf8("Engine-weak-3")));

        assertFailedAtPrepareWithNothingChanged(engine.rotate(PATH, rotator, RotationRequest.scheduled()), before,
                "may not change account '" + user + "'@'%'");
        assertThat(server().authenticationString(user)).isEqualTo(authBefore);
        assertThat(works(before)).isTrue();
    }

    @Test
    void dualPasswordOnMariaDb() {
        String user = account(uniqueUser("engine_dual"), "Engine-dual-4");
        Secret before = putCurrent(user, "Engine-dual-4");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.DUAL_PASSWORD));

        assertFailedAtPrepareWithNothingChanged(engine.rotate(PATH, rotator, RotationRequest.scheduled()), before,
                "strategy dual-password is not possible: MariaDB");
        assertThat(works(before)).isTrue();
    }

    @Test
    void aVerifyQueryThatFailsRollsBackAndCurrentKeepsWorking() {
        String user = account(uniqueUser("engine_verify"), "Engine-verify-5");
        Secret before = putCurrent(user, "Engine-verify-5");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER).verifyQuery("SELECT COUNT(*) FROM mysql.db"));

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.VERIFY);
            assertThat(f.rolledBack()).isTrue();
        });
        assertThat(current().version().id()).isEqualTo(before.version().id());
        assertThat(works(before)).as("CURRENT works after the rollback").isTrue();
        assertThat(store.versions(PATH)).noneMatch(v -> v.has(Stage.PENDING));
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(RotationEvent.RolledBack.class));
    }
}
