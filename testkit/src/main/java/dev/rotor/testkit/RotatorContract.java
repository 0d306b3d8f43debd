package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationListener;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link Rotator} must show when driven by the {@link RotationEngine}. A
 * rotator's test extends this class, points the rotator at a real target, and says how to tell
 * whether a credential works there:
 *
 * <pre>{@code
 * class PostgresSingleUserContractIT extends RotatorContract {
 *     @Override protected Rotator createRotator(SecretStore store) { return new PostgresPasswordRotator(...); }
 *     @Override protected SecretValue initialCredential() { return ...a role created in @BeforeEach...; }
 *     @Override protected boolean works(SecretValue credential) { ...log in with it... }
 *     @Override protected PreviousBehaviour previousBehaviour() { return PreviousBehaviour.INVALID; }
 * }
 * }</pre>
 *
 * Each test builds its fixture when it starts (after the subclass's own {@code @BeforeEach}):
 * a store from {@link #createStore} on a {@link TestClock}, the rotator, a secret at a fresh
 * path holding {@link #initialCredential()} (or, if that is null, one made by a first
 * rotation), and engines with a recording audit sink. Time moves only by the test clock:
 * leases expire and grace periods end without waiting.
 *
 * <p>Cases:
 * <ol>
 *   <li><b>Every step is idempotent</b>: a full rotation, a forced rollback and a RETIRE in which
 *       the engine's every call to the rotator is made twice still end with CURRENT working.
 *   <li><b>A crash between any two steps recovers</b>: a run stops right after each step (a
 *       listener throws an {@link Error}, so nothing after it runs, as when a process dies);
 *       another engine is refused with {@link RotationInProgressException} until the lease
 *       expires, then resumes: CURRENT works, no PENDING is left, and the audit shows the resume.
 *       An emergency that stopped after PROMOTE retires the old credential on resume.
 *   <li><b>A forced VERIFY failure rolls back</b>: CURRENT unchanged and working, no PENDING, and
 *       the rolled-back credential works nowhere (unless {@link #rolledBackCredentialMayWork()}).
 *   <li><b>An emergency retires at once</b>: the old credential stops working right away and the
 *       reason is in the events and the audit.
 *   <li><b>Three rotations in a row</b>: after each, CURRENT works and PREVIOUS behaves as
 *       {@link #previousBehaviour()} promises.
 * </ol>
 * Throughout, no credential the rotator made may appear in a log line, standard output, an
 * audit record, an event or a result: the secret fields ({@link #secretFieldNames()}) of every
 * credential become {@link Canary canaries} checked after each test.
 */
public abstract class RotatorContract {

    /** Thrown by a listener to stop a run exactly after a step, as a killed process would. */
    public static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        public SimulatedCrash(Step step) {
            super("simulated crash after " + step, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE = Duration.ofMinutes(2);

    private @Nullable Fixture fixture;

    // ---- what a subclass provides ---------------------------------------------------------------

    /** The rotator under test, pointed at its target. {@code store} is the store the engine uses (rotators that publish, such as a JWKS, may write there). */
    protected abstract Rotator createRotator(SecretStore store);

    /** A credential that works against the target now, stored as CURRENT before the test; null to let a first rotation make one. */
    protected abstract @Nullable SecretValue initialCredential();

    /** Whether {@code credential} works against the target right now (logs in, gets a token, verifies a signature). */
    protected abstract boolean works(SecretValue credential);

    /** What the strategy promises about the credential a rotation replaced. */
    protected abstract PreviousBehaviour previousBehaviour();

    /** The store the engine uses; by default a fresh in-memory store on {@code clock}. Closed after each test. */
    protected SecretStore createStore(Clock clock) {
        return new InMemorySecretStore("contract", clock);
    }

    /** The engine's grace period before RETIRE. */
    protected Duration gracePeriod() {
        return Duration.ofHours(1);
    }

    /** How far the test clock moves between two rotations (longer than the grace period and any cache TTL the rotator waits for). */
    protected Duration timeBetweenRotations() {
        return Duration.ofDays(1);
    }

    /**
     * Whether a credential that was applied and then rolled back may still work. False for
     * passwords and client secrets; true where the new credential was already trusted before the
     * run (a signing key published as "next" one rotation earlier).
     */
    protected boolean rolledBackCredentialMayWork() {
        return false;
    }

    /** Fields, at any depth of a JSON value, that hold secret material; each becomes a canary. */
    protected Set<String> secretFieldNames() {
        return Set.of("password", "secret", "clientSecret", "client_secret", "value", "key", "token", "d", "p", "q", "dp", "dq", "qi", "k");
    }

    // ---- what a subclass may use ----------------------------------------------------------------

    protected final SecretStore store() {
        return fixture().store;
    }

    protected final TestClock clock() {
        return fixture().clock;
    }

    /** The path of the secret being rotated. */
    protected final String path() {
        return fixture().path;
    }

    // ---- the cases ------------------------------------------------------------------------------

    @Test
    void everyStepIsIdempotent() {
        Fixture f = fixture();
        RotationEngine engine = f.engine("contract-a");
        Secret before = current();

        RotationResult result = engine.rotate(f.path, new Twice(f.rotator, false), RotationRequest.scheduled());

        assertThat(result).as("a rotation whose every call ran twice").isInstanceOf(RotationResult.Succeeded.class);
        assertThat(works(current().value())).as("CURRENT works after a rotation whose every call ran twice").isTrue();
        checkPreviousRightAfterRotation(before.value());

        f.clock.advance(gracePeriod());
        assertThat(engine.retireDue(f.path, new Twice(f.rotator, false))).as("RETIRE run twice").isInstanceOf(RotationResult.Retired.class);
        assertThat(works(current().value())).as("CURRENT works after RETIRE ran twice").isTrue();

        f.clock.advance(timeBetweenRotations());
        Secret stable = current();
        RotationResult failed = engine.rotate(f.path, new Twice(f.rotator, true), RotationRequest.scheduled());
        assertThat(failed).as("a rotation with a forced VERIFY failure, rollback run twice").isInstanceOfSatisfying(RotationResult.Failed.class,
                x -> assertThat(x.rolledBack()).isTrue());
        assertThat(current().version().id()).isEqualTo(stable.version().id());
        assertThat(works(current().value())).as("CURRENT works after a rollback run twice").isTrue();
        assertNoPending();
    }

    @ParameterizedTest(name = "crash after {0}")
    @EnumSource(value = Step.class, names = {"PREPARE", "CREATE", "APPLY", "VERIFY", "PROMOTE", "NOTIFY"})
    void aCrashBetweenAnyTwoStepsRecovers(Step crashAfter) {
        Fixture f = fixture();
        String before = current().version().id();
        RotationEngine dying = f.engine("contract-dying", crashAt(crashAfter));
        assertThatThrownBy(() -> dying.rotate(f.path, f.rotator, RotationRequest.scheduled())).isInstanceOf(SimulatedCrash.class);
        String deadRun = f.lastStartedRun();

        RotationEngine fresh = f.engine("contract-fresh");
        assertThatThrownBy(() -> fresh.resume(f.path, f.rotator))
                .as("a second engine while the dead holder's lease runs")
                .isInstanceOf(RotationInProgressException.class)
                .hasMessageContaining("held by contract-dying");
        f.clock.advance(LEASE.plusSeconds(1));

        RotationResult result = fresh.resume(f.path, f.rotator);

        switch (crashAfter) {
            case PREPARE, CREATE -> assertThat(result).as("resume after a crash at %s", crashAfter)
                    .isInstanceOfSatisfying(RotationResult.RolledBack.class, r -> assertThat(r.runId()).isEqualTo(deadRun));
            default -> assertThat(result).as("resume after a crash at %s", crashAfter)
                    .isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
                        assertThat(s.runId()).isEqualTo(deadRun);
                        assertThat(s.resumed()).isTrue();
                    });
        }
        if (crashAfter == Step.PREPARE || crashAfter == Step.CREATE) {
            assertThat(current().version().id()).as("CURRENT after undoing a run that never reached the target").isEqualTo(before);
        }
        assertThat(works(current().value())).as("CURRENT works after resuming a crash at %s", crashAfter).isTrue();
        assertNoPending();
        assertThat(f.sink.events).as("audit of the resumed run").anySatisfy(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.ROTATION_STARTED);
            assertThat(a.requestId()).isEqualTo(deadRun);
            assertThat(a.detail()).contains("resumed at");
        });

        f.clock.advance(timeBetweenRotations());
        assertThat(fresh.rotate(f.path, f.rotator, RotationRequest.scheduled())).as("the next rotation after the recovery")
                .isInstanceOf(RotationResult.Succeeded.class);
        assertThat(works(current().value())).isTrue();
    }

    @Test
    void anEmergencyThatCrashedAfterPromoteRetiresOnResume() {
        Fixture f = fixture();
        SecretValue old = current().value();
        RotationEngine dying = f.engine("contract-dying", crashAt(Step.PROMOTE));
        assertThatThrownBy(() -> dying.rotate(f.path, f.rotator, RotationRequest.emergency("contract", "leaked in a test")))
                .isInstanceOf(SimulatedCrash.class);
        f.clock.advance(LEASE.plusSeconds(1));

        RotationResult result = f.engine("contract-fresh").resume(f.path, f.rotator);

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
        assertThat(works(current().value())).isTrue();
        assertThat(works(old)).as("the old credential after the resumed emergency").isFalse();
        assertNoPending();
    }

    @Test
    void aForcedVerifyFailureRollsBack() {
        Fixture f = fixture();
        Secret before = current();
        ForcedVerifyFailure forced = new ForcedVerifyFailure(f.rotator);

        RotationResult result = f.engine("contract-a").rotate(f.path, forced, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, x -> {
            assertThat(x.step()).isEqualTo(Step.VERIFY);
            assertThat(x.rolledBack()).isTrue();
            assertThat(x.currentVersionId()).isEqualTo(before.version().id());
        });
        assertThat(current().version().id()).isEqualTo(before.version().id());
        assertThat(works(current().value())).as("CURRENT works after the rollback").isTrue();
        assertNoPending();
        assertThat(f.events).as("events of the failed run").anySatisfy(e -> assertThat(e).isInstanceOf(RotationEvent.RolledBack.class));
        assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOf(RotationEvent.Failed.class));
        if (!rolledBackCredentialMayWork()) {
            assertThat(forced.created).isNotNull();
            assertThat(works(forced.created)).as("the rolled-back credential").isFalse();
        }
    }

    @Test
    void anEmergencyRetiresAtOnce() {
        Fixture f = fixture();
        SecretValue old = current().value();

        RotationResult result = f.engine("contract-a").rotate(f.path, f.rotator, RotationRequest.emergency("contract", "leaked in a test"));

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
            assertThat(s.emergency()).isTrue();
            assertThat(s.previousRetired()).isTrue();
        });
        assertThat(works(current().value())).as("the new credential").isTrue();
        assertThat(works(old)).as("the old credential right after an emergency rotation").isFalse();
        assertThatThrownBy(() -> store().get(path(), Selector.PREVIOUS)).isInstanceOf(SecretNotFoundException.class);
        assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RotationEvent.Retired.class,
                r -> assertThat(r.why()).isEqualTo("emergency: leaked in a test")));
        assertThat(f.sink.events).anySatisfy(a -> {
            assertThat(a.action()).isEqualTo(AuditAction.ROTATION_STARTED);
            assertThat(a.detail()).contains("emergency", "reason=leaked in a test");
        });
    }

    @Test
    void threeRotationsInARow() {
        Fixture f = fixture();
        RotationEngine engine = f.engine("contract-a");
        List<SecretValue> history = new ArrayList<>();
        history.add(current().value());
        for (int i = 1; i <= 3; i++) {
            f.clock.advance(timeBetweenRotations());
            RotationResult result = engine.rotate(f.path, f.rotator, RotationRequest.scheduled());
            assertThat(result).as("rotation %d", i).isInstanceOf(RotationResult.Succeeded.class);
            SecretValue now = current().value();
            assertThat(now).as("rotation %d made a new credential", i).isNotEqualTo(history.get(history.size() - 1));
            assertThat(works(now)).as("CURRENT after rotation %d", i).isTrue();
            SecretValue previous = history.get(history.size() - 1);
            checkPreviousRightAfterRotation(previous);
            if (previousBehaviour() == PreviousBehaviour.VALID_UNTIL_NEXT_ROTATION && history.size() >= 2) {
                assertThat(works(history.get(history.size() - 2))).as("the credential two rotations back, after rotation %d", i).isFalse();
            }
            if (previousBehaviour() == PreviousBehaviour.VALID_UNTIL_RETIRE) {
                f.clock.advance(gracePeriod());
                assertThat(engine.retireDue(f.path, f.rotator)).as("RETIRE after rotation %d", i).isInstanceOf(RotationResult.Retired.class);
                assertThat(works(previous)).as("PREVIOUS after RETIRE following rotation %d", i).isFalse();
                assertThat(works(now)).as("CURRENT after RETIRE following rotation %d", i).isTrue();
            }
            history.add(now);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void checkPreviousRightAfterRotation(SecretValue previous) {
        switch (previousBehaviour()) {
            case INVALID -> assertThat(works(previous)).as("PREVIOUS right after a single-user rotation").isFalse();
            case VALID_UNTIL_NEXT_ROTATION, VALID_UNTIL_RETIRE -> assertThat(works(previous)).as("PREVIOUS right after the rotation (%s)",
                    previousBehaviour()).isTrue();
        }
    }

    private Secret current() {
        return store().get(path(), Selector.CURRENT);
    }

    private void assertNoPending() {
        assertThat(store().versions(path())).as("versions after the run").noneMatch(v -> v.has(Stage.PENDING));
    }

    private static RotationListener crashAt(Step step) {
        return e -> {
            if (e instanceof RotationEvent.StepCompleted s && s.step() == step) {
                throw new SimulatedCrash(step);
            }
        };
    }

    private Fixture fixture() {
        if (fixture == null) {
            fixture = new Fixture();
            fixture.seed();
        }
        return fixture;
    }

    @AfterEach
    void checkForLeaksAndClose() {
        Fixture f = fixture;
        fixture = null;
        if (f == null) {
            return;
        }
        try {
            f.leaks.close();
            List<Canary> canaries = new ArrayList<>();
            for (String s : f.secrets) {
                if (s.length() >= 8) {
                    canaries.add(Canary.of(s));
                }
            }
            canaries.forEach(f.leaks::watch);
            f.leaks.assertNoLeaks();
            for (AuditEvent a : f.sink.events) {
                LeakChecker.assertNoCanaryIn("audit record", a.toString(), canaries);
            }
            for (RotationEvent e : f.events) {
                LeakChecker.assertNoCanaryIn("rotation event", e.toString(), canaries);
            }
        } finally {
            f.store.close();
        }
    }

    /** One test's world. */
    private final class Fixture {
        final TestClock clock = TestClock.startingNow();
        final SecretStore store = createStore(clock);
        final String path = "contract/" + HexFormat.of().formatHex(randomBytes());
        final RecordingAudit sink = new RecordingAudit();
        final List<RotationEvent> events = new CopyOnWriteArrayList<>();
        final List<String> secrets = new CopyOnWriteArrayList<>();
        final LeakChecker leaks = LeakChecker.start();
        final Rotator rotator = new Observed(createRotator(store), this);

        void seed() {
            SecretValue initial = initialCredential();
            if (initial == null) {
                assertThat(engine("contract-seed").rotate(path, rotator, RotationRequest.scheduled()))
                        .as("the first rotation, which makes the initial credential").isInstanceOf(RotationResult.Succeeded.class);
            } else {
                collectSecrets(initial);
                store.put(path, initial, PutOptions.current());
                assertThat(works(initial)).as("the initial credential works before any rotation").isTrue();
            }
            events.clear();
            sink.events.clear();
            // The secret was written a while ago: rotators that wait (a JWKS cache TTL) may rotate now.
            clock.advance(timeBetweenRotations());
        }

        RotationEngine engine(String holder, RotationListener... extra) {
            RotationEngine.Builder b = RotationEngine.builder(store).clock(clock).auditSink(sink).holder(holder)
                    .options(RotationOptions.defaults().withLeaseDuration(LEASE).withGracePeriod(gracePeriod()))
                    .listener(events::add);
            for (RotationListener l : extra) {
                b.listener(l);
            }
            return b.build();
        }

        String lastStartedRun() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i) instanceof RotationEvent.Started s) {
                    return s.runId();
                }
            }
            throw new AssertionError("no run started");
        }

        void collectSecrets(SecretValue value) {
            try {
                JsonNode root = JSON.readTree(value.bytes());
                if (root != null && root.isObject()) {
                    collect(root);
                    return;
                }
            } catch (IOException e) {
                // not JSON: the whole value is the secret
            }
            secrets.add(new String(value.bytes(), java.nio.charset.StandardCharsets.UTF_8));
        }

        private void collect(JsonNode node) {
            if (node.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> it = node.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isTextual() && secretFieldNames().contains(e.getKey())) {
                        secrets.add(e.getValue().textValue());
                    } else {
                        collect(e.getValue());
                    }
                }
            } else if (node.isArray()) {
                node.forEach(this::collect);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** Keeps every audit record in memory. */
    private static final class RecordingAudit implements AuditSink {
        final List<AuditEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void append(AuditEvent event) {
            events.add(event);
        }

        @Override
        public String describe() {
            return "contract";
        }

        @Override
        public void close() {}
    }

    /** Forwards to the rotator under test; records every credential it makes, for the leak check. */
    private static class Observed extends ForwardingRotator {
        private final @Nullable Fixture fixture;

        Observed(Rotator inner, @Nullable Fixture fixture) {
            super(inner);
            this.fixture = fixture;
        }

        @Override
        public SecretValue create(RotationContext context, @Nullable Secret current) {
            SecretValue v = super.create(context, current);
            if (fixture != null) {
                fixture.collectSecrets(v);
            }
            return v;
        }
    }

    /** Makes every call twice, as an engine resuming after a crash would; can force VERIFY to fail after verifying twice. */
    private static final class Twice extends Observed {
        private final boolean failVerify;

        Twice(Rotator inner, boolean failVerify) {
            super(inner, null);
            this.failVerify = failVerify;
        }

        @Override
        public void preflight(RotationContext context, @Nullable Secret current) {
            delegate().preflight(context, current);
            delegate().preflight(context, current);
        }

        @Override
        public SecretValue create(RotationContext context, @Nullable Secret current) {
            delegate().create(context, current).destroy();
            return delegate().create(context, current);
        }

        @Override
        public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
            delegate().apply(context, current, pending);
            delegate().apply(context, current, pending);
        }

        @Override
        public void verify(RotationContext context, Secret pending) {
            delegate().verify(context, pending);
            delegate().verify(context, pending);
            if (failVerify) {
                throw new RotationException(Step.VERIFY, "forced by the rotator contract");
            }
        }

        @Override
        public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
            delegate().rollback(context, current, pending);
            delegate().rollback(context, current, pending);
        }

        @Override
        public void retire(RotationContext context, Secret previous, Secret current) {
            delegate().retire(context, previous, current);
            delegate().retire(context, previous, current);
        }
    }

    /** Verifies for real, then fails: the engine must roll back a credential that did work. */
    private static final class ForcedVerifyFailure extends Observed {
        @Nullable SecretValue created;

        ForcedVerifyFailure(Rotator inner) {
            super(inner, null);
        }

        @Override
        public SecretValue create(RotationContext context, @Nullable Secret current) {
            SecretValue v = delegate().create(context, current);
            created = SecretValue.of(v.bytes());
            return v;
        }

        @Override
        public void verify(RotationContext context, Secret pending) {
            delegate().verify(context, pending);
            throw new RotationException(Step.VERIFY, "forced by the rotator contract");
        }
    }
}
