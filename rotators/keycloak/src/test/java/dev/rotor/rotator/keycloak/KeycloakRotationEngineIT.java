package dev.rotor.rotator.keycloak;

import static dev.rotor.rotator.keycloak.Fixture.clientId;
import static dev.rotor.rotator.keycloak.Fixture.clientSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.ForwardingRotator;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The rotator driven by the {@link RotationEngine} against the real Keycloak: three rotations in a
 * row per strategy with PREVIOUS checked after each, emergencies, a forced VERIFY failure, and two
 * engines on one secret.
 */
class KeycloakRotationEngineIT {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    private static final String PATH = Fixture.PATH;
    private static final Duration GRACE = Duration.ofHours(1);

    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private KeycloakTestAdmin kc;
    private Fixture f;
    private InMemorySecretStore store;
    private RotationEngine engine;

    @BeforeEach
    void setUp() {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        f = new Fixture(kc, "engine").rotatorClient();
        store = new InMemorySecretStore("kc", clock);
        engine = engine("engine-1");
    }

    @AfterEach
    void tearDown() {
        store.close();
        kc.deleteRealm(f.realm);
    }

    private RotationEngine engine(String holder) {
        return RotationEngine.builder(store)
                .clock(clock)
                .holder(holder)
                .options(RotationOptions.defaults().withGracePeriod(GRACE))
                .auditSink(recordingSink())
                .listener(events::add)
                .build();
    }

    private AuditSink recordingSink() {
        return new AuditSink() {
            @Override
            public void append(AuditEvent event) {
                audit.add(event);
            }

            @Override
            public String describe() {
                return "memory";
            }

            @Override
            public void close() {}
        };
    }

    private void storeCurrent(String clientId, String secret) {
        store.put(PATH, SecretValue.ofFields(Map.of("clientId", clientId, "clientSecret", secret)), PutOptions.current());
    }

    private Secret stage(Stage stage) {
        return store.get(PATH, Selector.stage(stage));
    }

    private boolean works(Secret s) {
        return kc.tokenWorks(f.realm, clientId(s), clientSecret(s));
    }

    private boolean hasPending() {
        return store.versions(PATH).stream().anyMatch(v -> v.has(Stage.PENDING));
    }

    private static RotationResult.Succeeded succeeded(RotationResult r) {
        assertThat(r).isInstanceOf(RotationResult.Succeeded.class);
        return (RotationResult.Succeeded) r;
    }

    @Test
    void dualSecretThreeRotationsKeepPreviousValidUntilRetire() {
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        storeCurrent("billing", f.target("billing"));
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").clock(clock).build();

        for (int i = 1; i <= 3; i++) {
            String before = stage(Stage.CURRENT).version().id();
            RotationResult.Succeeded r = succeeded(engine.rotate(PATH, rotator, RotationRequest.scheduled()));
            assertThat(r.previousVersionId()).isEqualTo(before);
            Secret current = stage(Stage.CURRENT);
            Secret previous = stage(Stage.PREVIOUS);
            assertThat(clientId(current)).isEqualTo("billing");
            assertThat(works(current)).as("CURRENT after rotation %d", i).isTrue();
            assertThat(works(previous)).as("PREVIOUS after rotation %d, before RETIRE", i).isTrue();
            assertThat(hasPending()).isFalse();

            clock.advance(GRACE.plusMinutes(1));
            assertThat(engine.retireDue(PATH, rotator)).isInstanceOf(RotationResult.Retired.class);
            assertThat(works(previous)).as("PREVIOUS after RETIRE of rotation %d", i).isFalse();
            assertThat(works(current)).isTrue();
            assertThat(kc.rotatedSecret(f.realm, "billing")).isEmpty();
            clock.advance(Duration.ofDays(1));
        }
        assertThat(events).filteredOn(RotationEvent.Retired.class::isInstance).hasSize(3);
    }

    @Test
    void dualSecretNextRotationRetiresAPreviousThatWasNotRetiredYet() {
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        storeCurrent("billing", f.target("billing"));
        Secret first = stage(Stage.CURRENT);
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").clock(clock).build();

        succeeded(engine.rotate(PATH, rotator, RotationRequest.scheduled()));
        Secret second = stage(Stage.CURRENT);
        succeeded(engine.rotate(PATH, rotator, RotationRequest.scheduled()));

        assertThat(works(first)).as("the version two rotations back").isFalse();
        assertThat(works(second)).as("PREVIOUS").isTrue();
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        assertThat(events).filteredOn(RotationEvent.Retired.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((RotationEvent.Retired) e).why()).startsWith("superseded by run"));
    }

    @Test
    void alternatingThreeRotationsKeepPreviousValidUntilTheNextRotation() {
        storeCurrent("billing-a", f.target("billing-a"));
        f.target("billing-b");
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.ALTERNATING, "billing-a", "billing-b").clock(clock).build();

        Secret previousOfLastRotation = null;
        for (int i = 1; i <= 3; i++) {
            String clientBefore = clientId(stage(Stage.CURRENT));
            succeeded(engine.rotate(PATH, rotator, RotationRequest.scheduled()));
            Secret current = stage(Stage.CURRENT);
            Secret previous = stage(Stage.PREVIOUS);
            assertThat(clientId(current)).as("rotation %d switches the client", i).isNotEqualTo(clientBefore);
            assertThat(clientId(previous)).isEqualTo(clientBefore);
            assertThat(works(current)).as("CURRENT after rotation %d", i).isTrue();
            assertThat(works(previous)).as("PREVIOUS after rotation %d", i).isTrue();
            if (previousOfLastRotation != null) {
                assertThat(works(previousOfLastRotation)).as("the PREVIOUS of rotation %d after rotation %d", i - 1, i).isFalse();
            }
            assertThat(hasPending()).isFalse();
            previousOfLastRotation = previous;
            clock.advance(Duration.ofDays(1));
        }
    }

    @Test
    void dualSecretEmergencyRevokesTheOldSecretAtOnce() {
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        storeCurrent("billing", f.target("billing"));
        Secret old = stage(Stage.CURRENT);
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").clock(clock).build();

        RotationResult.Succeeded r = succeeded(engine.rotate(PATH, rotator, RotationRequest.emergency("ops@example.com", "secret leaked")));

        assertThat(r.previousRetired()).isTrue();
        assertThat(works(old)).isFalse();
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        assertThat(kc.rotatedSecret(f.realm, "billing")).isEmpty();
        assertThat(events).filteredOn(RotationEvent.Retired.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((RotationEvent.Retired) e).why()).isEqualTo("emergency: secret leaked"));
        assertThat(audit).filteredOn(a -> a.action() == AuditAction.ROTATION_STARTED)
                .singleElement()
                .satisfies(a -> assertThat(a.detail()).contains("emergency").contains("secret leaked"));
    }

    @Test
    void alternatingEmergencyRevokesTheOldClientsSecretAtOnce() {
        storeCurrent("billing-a", f.target("billing-a"));
        f.target("billing-b");
        Secret old = stage(Stage.CURRENT);
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.ALTERNATING, "billing-a", "billing-b").clock(clock).build();

        RotationResult.Succeeded r = succeeded(engine.rotate(PATH, rotator, RotationRequest.emergency("ops@example.com", "secret leaked")));

        assertThat(r.previousRetired()).isTrue();
        assertThat(works(old)).isFalse();
        assertThat(works(stage(Stage.CURRENT))).isTrue();
    }

    @Test
    void dualSecretForcedVerifyFailureRollsBack() {
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        String s0 = f.target("billing");
        storeCurrent("billing", s0);
        VersionInfo before = stage(Stage.CURRENT).version();
        FailingVerify rotator = new FailingVerify(f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").clock(clock).build());

        RotationResult r = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(r).isInstanceOfSatisfying(RotationResult.Failed.class, failed -> {
            assertThat(failed.step()).isEqualTo(Step.VERIFY);
            assertThat(failed.rolledBack()).isTrue();
        });
        assertThat(stage(Stage.CURRENT).version().id()).isEqualTo(before.id());
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        assertThat(hasPending()).isFalse();
        assertThat(kc.secret(f.realm, "billing")).isEqualTo(s0);
        assertThat(kc.tokenWorks(f.realm, "billing", rotator.verified.get())).as("the rolled-back secret").isFalse();
        assertThat(events).hasAtLeastOneElementOfType(RotationEvent.RolledBack.class).hasAtLeastOneElementOfType(RotationEvent.Failed.class);
    }

    @Test
    void alternatingForcedVerifyFailureRollsBack() {
        String a0 = f.target("billing-a");
        storeCurrent("billing-a", a0);
        f.target("billing-b");
        FailingVerify rotator = new FailingVerify(f.rotator(KeycloakStrategy.ALTERNATING, "billing-a", "billing-b").clock(clock).build());

        RotationResult r = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(r).isInstanceOfSatisfying(RotationResult.Failed.class, failed -> assertThat(failed.rolledBack()).isTrue());
        assertThat(clientId(stage(Stage.CURRENT))).isEqualTo("billing-a");
        assertThat(kc.tokenWorks(f.realm, "billing-a", a0)).isTrue();
        assertThat(kc.tokenWorks(f.realm, "billing-b", rotator.verified.get())).as("the rolled-back secret").isFalse();
        assertThat(hasPending()).isFalse();
    }

    @Test
    void aSecondEngineIsToldThatARotationIsInProgress() throws Exception {
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        storeCurrent("billing", f.target("billing"));
        KeycloakClientSecretRotator real = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").clock(clock).build();
        CountDownLatch inApply = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Rotator paused = new ForwardingRotator(real) {
            @Override
            public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
                inApply.countDown();
                await(release);
                super.apply(context, current, pending);
            }
        };
        CompletableFuture<RotationResult> first = CompletableFuture.supplyAsync(() -> engine.rotate(PATH, paused, RotationRequest.scheduled()));
        assertThat(inApply.await(60, TimeUnit.SECONDS)).as("first run reached APPLY").isTrue();

        RotationEngine other = engine("engine-2");
        assertThatThrownBy(() -> other.rotate(PATH, real, RotationRequest.scheduled()))
                .isInstanceOf(RotationInProgressException.class)
                .hasMessageContaining("rotation in progress")
                .hasMessageContaining("engine-1");

        release.countDown();
        succeeded(first.get(60, TimeUnit.SECONDS));
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        succeeded(other.rotate(PATH, real, RotationRequest.scheduled()));
    }

    @Test
    void wrongRotatorCredentialsFailAtPrepareWithAFailureEventAndCurrentUntouched() {
        String s0 = f.target("billing");
        f.target("billing-b");
        storeCurrent("billing", s0);
        VersionInfo before = stage(Stage.CURRENT).version();
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.ALTERNATING, "billing", "billing-b")
                .authClientSecret(() -> SecretValue.ofUtf8("wrong-secret"))
                .clock(clock)
                .build();

        RotationResult r = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(r).isInstanceOfSatisfying(RotationResult.Failed.class, failed -> {
            assertThat(failed.step()).isEqualTo(Step.PREPARE);
            assertThat(failed.rolledBack()).isTrue();
            assertThat(failed.message()).contains("refused");
        });
        assertThat(events).filteredOn(RotationEvent.Failed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((RotationEvent.Failed) e).error()).contains("rotator's client 'rotor'"));
        assertThat(audit).filteredOn(a -> a.action() == AuditAction.ROTATION_FAILED).hasSize(1);
        assertThat(stage(Stage.CURRENT).version().id()).isEqualTo(before.id());
        assertThat(hasPending()).isFalse();
        assertThat(kc.secret(f.realm, "billing")).isEqualTo(s0);
        assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
        assertThatThrownBy(() -> store.get(PATH, Selector.stage(Stage.PREVIOUS))).isInstanceOf(SecretNotFoundException.class);
    }

    @Test
    void manyRotationsInARowEachEndWithAWorkingCurrent() {
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        storeCurrent("billing", f.target("billing"));
        KeycloakClientSecretRotator dual = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").clock(clock).build();
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long t0 = System.nanoTime();
            succeeded(engine.rotate(PATH, dual, RotationRequest.scheduled()));
            micros.add((System.nanoTime() - t0) / 1000);
            clock.advance(Duration.ofDays(1));
        }
        assertThat(works(stage(Stage.CURRENT))).isTrue();
        assertThat(works(stage(Stage.PREVIOUS))).isTrue();
        Collections.sort(micros);
        LoggerFactory.getLogger(KeycloakRotationEngineIT.class).info(
                "30 dual-secret rotations (PREVIOUS of the one before retired at each PREPARE): p50 {} ms, p90 {} ms, max {} ms",
                micros.get(14) / 1000.0, micros.get(26) / 1000.0, micros.get(29) / 1000.0);
    }

    /** The real rotator, except that VERIFY fails after the real check passed. */
    private static final class FailingVerify extends ForwardingRotator {
        final AtomicReference<String> verified = new AtomicReference<>();

        FailingVerify(Rotator real) {
            super(real);
        }

        @Override
        public void verify(RotationContext context, Secret pending) {
            super.verify(context, pending);
            verified.set(clientSecret(pending));
            throw new RotationException(Step.VERIFY, "forced failure for the test");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
