package dev.rotor.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.internal.store.MutableClock;
import dev.rotor.memory.InMemorySecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RotationEngineTest {

    static final String PATH = "app/db";
    static final Duration LEASE = Duration.ofMinutes(1);
    static final Duration GRACE = Duration.ofHours(1);

    /** Thrown by a listener to stop a run the way a dead process would: nothing after it runs. */
    static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        Crash() {
            super("simulated crash", null, false, false);
        }
    }

    final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T10:00:00Z"));
    final InMemorySecretStore store = new InMemorySecretStore("mem", clock);
    final RecordingSink sink = new RecordingSink();
    final List<RotationEvent> events = new CopyOnWriteArrayList<>();
    final FakeTarget target = new FakeTarget();
    final Rotator rotator = target.rotator();
    final RotationOptions options = RotationOptions.defaults().withLeaseDuration(LEASE).withGracePeriod(GRACE);
    RotationEngine engine;
    String initialId;

    @BeforeEach
    void seed() {
        engine = engine("engine-a", null);
        initialId = store.put(PATH, FakeTarget.credential("initial"), PutOptions.current()).id();
        target.accepted.add("initial");
    }

    RotationEngine engine(String holder, Consumer<RotationEvent> extraListener) {
        RotationEngine.Builder b = RotationEngine.builder(store).clock(clock).auditSink(sink).options(options).holder(holder)
                .listener(events::add);
        if (extraListener != null) {
            b.listener(extraListener::accept);
        }
        return b.build();
    }

    static Consumer<RotationEvent> crashAfter(Step step) {
        return e -> {
            switch (e) {
                case RotationEvent.StepCompleted s when s.step() == step -> throw new Crash();
                default -> { }
            }
        };
    }

    Secret current() {
        return store.get(PATH, Selector.CURRENT);
    }

    boolean hasPending() {
        return store.versions(PATH).stream().anyMatch(v -> v.has(Stage.PENDING));
    }

    boolean hasPrevious() {
        return store.versions(PATH).stream().anyMatch(v -> v.has(Stage.PREVIOUS));
    }

    List<Class<?>> eventTypes() {
        return events.stream().<Class<?>>map(Object::getClass).toList();
    }

    List<Step> completedSteps() {
        List<Step> steps = new ArrayList<>();
        for (RotationEvent e : events) {
            if (e instanceof RotationEvent.StepCompleted s) {
                steps.add(s.step());
            }
        }
        return steps;
    }

    // ---- the happy path -----------------------------------------------------------------------

    @Test
    void aRotationRunsEveryStepPromotesAndReleasesTheLease() {
        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
            assertThat(s.previousVersionId()).isEqualTo(initialId);
            assertThat(s.currentVersionId()).isEqualTo(current().version().id());
            assertThat(s.resumed()).isFalse();
            assertThat(s.previousRetired()).isFalse();
        });
        assertThat(target.works(current().value())).isTrue();
        assertThat(target.works(FakeTarget.credential("initial"))).isFalse();
        assertThat(store.get(PATH, Selector.PREVIOUS).version().id()).isEqualTo(initialId);
        assertThat(hasPending()).isFalse();
        assertThat(completedSteps()).containsExactly(Step.PREPARE, Step.CREATE, Step.APPLY, Step.VERIFY, Step.PROMOTE, Step.NOTIFY);
        assertThat(events.get(0)).isInstanceOf(RotationEvent.Started.class);
        assertThat(eventTypes()).containsSubsequence(RotationEvent.Started.class, RotationEvent.Succeeded.class);
        assertThat(events).allSatisfy(e -> assertThat(e.runId()).isEqualTo(events.get(0).runId()));
        RotationEvent.Succeeded succeeded = (RotationEvent.Succeeded) events.stream()
                .filter(RotationEvent.Succeeded.class::isInstance).findFirst().orElseThrow();
        assertThat(succeeded.previousVersionId()).isEqualTo(initialId);
        assertThat(succeeded.currentVersionId()).isEqualTo(current().version().id());

        // The new CURRENT carries the run's state, at APPLY.
        RunState state = RunState.of(current().version()).orElseThrow();
        assertThat(state.runId()).isEqualTo(events.get(0).runId());
        assertThat(state.step()).isEqualTo(Step.APPLY);
        assertThat(state.rotatorType()).isEqualTo("fake-password");

        // Every event is audited under the run id, with the engine's holder on the start record.
        assertThat(sink.actions()).containsExactly(AuditAction.ROTATION_STARTED, AuditAction.ROTATION_STEP, AuditAction.ROTATION_STEP,
                AuditAction.ROTATION_STEP, AuditAction.ROTATION_STEP, AuditAction.ROTATION_STEP, AuditAction.ROTATION_SUCCEEDED,
                AuditAction.ROTATION_STEP);
        assertThat(sink.events).allSatisfy(a -> {
            assertThat(a.requestId()).isEqualTo(state.runId());
            assertThat(a.actor()).isEqualTo("rotor");
            assertThat(a.path()).isEqualTo(PATH);
            assertThat(a.store()).isEqualTo("mem");
        });
        assertThat(sink.events.get(0).detail()).contains("rotator=fake-password", "reason=scheduled", "holder=engine-a");

        // The lease is free again: the next rotation runs at once.
        assertThat(engine("engine-b", null).rotate(PATH, rotator, RotationRequest.scheduled()))
                .isInstanceOf(RotationResult.Succeeded.class);
    }

    @Test
    void aSecretWithNoCurrentGetsItsFirstCredential() {
        String path = "fresh/secret";
        RotationResult result = engine.rotate(path, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousVersionId()).isNull());
        assertThat(target.works(store.get(path).value())).isTrue();
    }

    @Test
    void noCredentialReachesTheAuditTheEventsOrTheResult() {
        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());
        target.failAt.add(Step.VERIFY);
        RotationResult failed = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        List<String> passwords = store.versions(PATH).stream()
                .map(v -> FakeTarget.password(store.get(PATH, Selector.version(v.id())).value())).toList();
        assertThat(passwords).hasSizeGreaterThanOrEqualTo(3);
        List<String> texts = new ArrayList<>();
        sink.events.forEach(e -> texts.add(e.toString()));
        events.forEach(e -> texts.add(e.toString()));
        texts.add(result.toString());
        texts.add(failed.toString());
        for (String pw : passwords) {
            assertThat(texts).noneMatch(t -> t.contains(pw));
        }
    }

    // ---- the lease ----------------------------------------------------------------------------

    @Test
    void aSecondRunWhileOneIsUnderWayGetsRotationInProgress() {
        RotationEngine other = engine("engine-b", null);
        List<Throwable> seen = new ArrayList<>();
        RotationEngine busy = engine("engine-a", e -> {
            if (e instanceof RotationEvent.StepCompleted s && s.step() == Step.VERIFY) {
                try {
                    other.rotate(PATH, rotator, RotationRequest.scheduled());
                } catch (RotationInProgressException x) {
                    seen.add(x);
                }
            }
        });

        assertThat(busy.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);

        assertThat(seen).singleElement().isInstanceOfSatisfying(RotationInProgressException.class, x -> {
            assertThat(x.getMessage()).startsWith("rotation in progress for secret://mem/app/db held by engine-a until 2025-06-01T10:01:00Z");
            assertThat(x.holder()).isEqualTo("engine-a");
            assertThat(x.until()).isEqualTo(clock.instant().plus(LEASE));
        });
    }

    @Test
    void aDeadHoldersLeaseBlocksUntilItExpiresThenTheNextRunRollsItsWorkForward() {
        RotationEngine dying = engine("engine-a", crashAfter(Step.APPLY));
        assertThatThrownBy(() -> dying.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(Crash.class);
        String deadRun = events.get(0).runId();
        // The dead run applied its password: CURRENT in the store no longer logs in, PENDING does.
        assertThat(target.works(current().value())).isFalse();
        assertThat(target.works(store.get(PATH, Selector.PENDING).value())).isTrue();

        RotationEngine next = engine("engine-b", null);
        clock.advance(LEASE.minusSeconds(1));
        assertThatThrownBy(() -> next.rotate(PATH, rotator, RotationRequest.scheduled()))
                .isInstanceOf(RotationInProgressException.class)
                .hasMessageContaining("held by engine-a");

        clock.advance(Duration.ofSeconds(2));
        events.clear();
        RotationResult result = next.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(events.get(0)).isInstanceOfSatisfying(RotationEvent.Started.class, s -> {
            assertThat(s.runId()).isEqualTo(deadRun);
            assertThat(s.resumedAt()).isEqualTo(Step.APPLY);
        });
        assertThat(events).filteredOn(RotationEvent.Succeeded.class::isInstance).extracting(RotationEvent::runId)
                .hasSize(2).first().isEqualTo(deadRun);
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPending()).isFalse();
        assertThat(sink.events).filteredOn(a -> a.action() == AuditAction.ROTATION_STARTED)
                .anySatisfy(a -> assertThat(a.detail()).contains("resumed at APPLY", "holder=engine-b"));
    }

    @Test
    void manyEnginesRacingForOneLeaseLetExactlyOneIn() throws Exception {
        int n = 8;
        List<RotationEngine> engines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            engines.add(engine("engine-" + i, null));
        }
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(n);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch othersDone = new java.util.concurrent.CountDownLatch(n - 1);
        // The run that gets in waits at VERIFY until every other engine has been turned away.
        Rotator slow = new DelegatingRotator(rotator) {
            @Override
            public void verify(RotationContext context, Secret pending) {
                inside.countDown();
                try {
                    othersDone.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.verify(context, pending);
            }
        };
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (RotationEngine e : engines) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    barrier.await();
                    outcomes.add(e.rotate(PATH, slow, RotationRequest.scheduled()));
                } catch (RotationInProgressException x) {
                    outcomes.add(x);
                    othersDone.countDown();
                } catch (Exception x) {
                    outcomes.add(x);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(10_000);
        }

        assertThat(outcomes).hasSize(n);
        assertThat(outcomes).filteredOn(RotationResult.Succeeded.class::isInstance).hasSize(1);
        assertThat(outcomes).filteredOn(RotationInProgressException.class::isInstance).hasSize(n - 1);
        assertThat(target.works(current().value())).isTrue();
    }

    @Test
    void aRunWhoseLeaseWasTakenOverStopsAtTheNextFenceAndTouchesNothing() {
        RotationEngine other = engine("engine-b", null);
        List<RotationResult> takeover = new ArrayList<>();
        RotationEngine stalled = engine("engine-a", e -> {
            if (e instanceof RotationEvent.StepCompleted s && s.step() == Step.VERIFY && takeover.isEmpty()) {
                // engine-a stalls past its lease; engine-b takes the run over and finishes it
                clock.advance(LEASE.plusSeconds(1));
                takeover.add(other.resume(PATH, rotator));
            }
        });

        RotationResult result = stalled.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(takeover).singleElement().isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.resumed()).isTrue());
        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PROMOTE);
            assertThat(f.rolledBack()).isFalse();
            assertThat(f.message()).contains("lost the rotation lease of secret://mem/app/db to engine-b");
        });
        assertThat(target.calls).doesNotContain("rollback");
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPending()).isFalse();
        assertThat(store.get(".rotor/lease/" + PATH).value().asUtf8()).contains("\"holder\":\"engine-b\"", "\"held\":false");
    }

    @Test
    void aSlowRunRenewsItsLeaseAtTheFencesAndStillReleasesIt() {
        RotationEngine slow = engine("engine-a", e -> {
            if (e instanceof RotationEvent.StepCompleted s && (s.step() == Step.CREATE || s.step() == Step.VERIFY || s.step() == Step.NOTIFY)) {
                clock.advance(LEASE.multipliedBy(3).dividedBy(4));
            }
        });

        assertThat(slow.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);

        assertThat(store.get(".rotor/lease/" + PATH).value().asUtf8()).contains("\"held\":false", "\"step\":\"SUCCEEDED\"");
        assertThat(engine("engine-b", null).rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
    }

    @Test
    void aPendingVersionWrittenMomentsAgoByARunWhoseLeaseWasNotTakenOverCountsAsInProgress() {
        // A run that holds no lease this engine can see (say its lease record was lost) wrote PENDING just now.
        RunState alive = new RunState("other-run", Step.APPLY, "fake-password", clock.instant(), false, null);
        store.put(PATH, FakeTarget.credential("theirs"), PutOptions.pending().withTags(alive.tags()));

        assertThatThrownBy(() -> engine.rotate(PATH, rotator, RotationRequest.scheduled()))
                .isInstanceOf(RotationInProgressException.class)
                .hasMessageContaining("run other-run");

        clock.advance(LEASE.plusSeconds(1));
        target.accepted.add("theirs"); // what the other run had applied
        assertThat(engine.resume(PATH, rotator)).isInstanceOfSatisfying(RotationResult.Succeeded.class,
                s -> assertThat(s.runId()).isEqualTo("other-run"));
        assertThat(FakeTarget.password(current().value())).isEqualTo("theirs");
    }

    // ---- failures -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"APPLY", "VERIFY"})
    void aFailedApplyOrVerifyRollsTheTargetBackAndRemovesPending(Step failing) {
        target.failAt.add(failing);

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(failing);
            assertThat(f.rolledBack()).isTrue();
            assertThat(f.currentVersionId()).isEqualTo(initialId);
            assertThat(f.message()).contains("RotationException", "the fake target refuses " + failing);
        });
        assertThat(target.calls).contains("rollback");
        assertThat(current().version().id()).isEqualTo(initialId);
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPending()).isFalse();
        assertThat(eventTypes()).containsSubsequence(RotationEvent.RolledBack.class, RotationEvent.Failed.class);
        AuditEvent failedRecord = sink.events.get(sink.events.size() - 1);
        assertThat(failedRecord.action()).isEqualTo(AuditAction.ROTATION_FAILED);
        assertThat(failedRecord.outcome()).isEqualTo(AuditOutcome.ERROR);
        assertThat(failedRecord.detail()).contains("step=" + failing, "rolledBack=true");
    }

    @Test
    void anApplyCopyWhoseAnswerWasLostIsRemovedAndTheTargetNeverTouched() {
        dev.rotor.spi.ForwardingSecretStore lossy = new dev.rotor.spi.ForwardingSecretStore(store) {
            @Override
            public VersionInfo put(String path, SecretValue value, PutOptions o) {
                VersionInfo v = super.put(path, value, o);
                if (o.idempotencyKey() != null && o.idempotencyKey().endsWith("-apply")) {
                    throw new dev.rotor.ProviderUnavailableException("connection reset after the write", true, null);
                }
                return v;
            }
        };
        RotationEngine e = RotationEngine.builder(lossy).clock(clock).options(options).holder("engine-a").listener(events::add).build();

        RotationResult result = e.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.APPLY);
            assertThat(f.rolledBack()).isTrue();
            assertThat(f.message()).contains("ProviderUnavailableException: connection reset after the write");
        });
        assertThat(target.calls).doesNotContain("apply", "rollback");
        assertThat(hasPending()).as("the APPLY copy that did land is removed too").isFalse();
        assertThat(current().version().id()).isEqualTo(initialId);
    }

    @Test
    void aFailedPreflightChangesNothing() {
        target.failAt.add(Step.PREPARE);
        List<VersionInfo> before = store.versions(PATH);

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.rolledBack()).isTrue();
        });
        assertThat(store.versions(PATH)).isEqualTo(before);
        assertThat(target.calls).containsExactly("preflight");
        assertThat(target.works(current().value())).isTrue();
        assertThat(eventTypes()).containsExactly(RotationEvent.Started.class, RotationEvent.Failed.class);
    }

    @Test
    void aFailedRollbackKeepsPendingAtApplyAndTheNextRunRollsForward() {
        target.failAt.add(Step.VERIFY);
        target.rollbackFails = true;

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> assertThat(f.rolledBack()).isFalse());
        Secret pending = store.get(PATH, Selector.PENDING);
        assertThat(RunState.of(pending.version()).orElseThrow().step()).isEqualTo(Step.APPLY);

        target.failAt.clear();
        target.rollbackFails = false;
        // The failed run released its lease, so the work is taken up at once.
        RotationResult resumed = engine.resume(PATH, rotator);

        assertThat(resumed).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
            assertThat(s.resumed()).isTrue();
            assertThat(s.currentVersionId()).isEqualTo(pending.version().id());
        });
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPending()).isFalse();
    }

    @Test
    void aPendingVersionNoRunWroteStopsTheRotationAtPrepare() {
        String foreign = store.put(PATH, FakeTarget.credential("staged-by-hand"), PutOptions.pending()).id();

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.message()).contains("PENDING version '" + foreign + "'", "promote it or remove");
        });
        assertThat(store.get(PATH, Selector.PENDING).version().id()).isEqualTo(foreign);
        assertThat(target.calls).doesNotContain("create", "apply");
    }

    @Test
    void aCurrentWrittenByHandDuringTheRunMakesPromoteFailAndRollBack() {
        RotationEngine racing = engine("engine-a", e -> {
            if (e instanceof RotationEvent.StepCompleted s && s.step() == Step.VERIFY) {
                store.put(PATH, FakeTarget.credential("by-hand"), PutOptions.current());
            }
        });

        RotationResult result = racing.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PROMOTE);
            assertThat(f.rolledBack()).isTrue();
            assertThat(f.message()).contains("ConflictException");
        });
        assertThat(target.calls).contains("rollback");
        assertThat(FakeTarget.password(current().value())).isEqualTo("by-hand");
        assertThat(hasPending()).isFalse();
    }

    @Test
    void anUnwritableStartRecordStopsTheRunBeforeAnythingChanges() {
        sink.failing = true;
        List<VersionInfo> before = store.versions(PATH);

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.message()).contains("AuditUnavailableException");
        });
        assertThat(store.versions(PATH)).isEqualTo(before);
        assertThat(target.calls).isEmpty();
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheRun() {
        RotationEngine noisy = engine("engine-a", e -> {
            throw new IllegalStateException("listener bug");
        });

        assertThat(noisy.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(target.works(current().value())).isTrue();
    }

    // ---- emergency and retire -----------------------------------------------------------------

    @Test
    void anEmergencyRetiresTheOldCredentialRightAfterPromoteAndRecordsTheReason() {
        target.overlap = true;

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.emergency("alice", "leaked in ticket 42"));

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
            assertThat(s.emergency()).isTrue();
            assertThat(s.previousRetired()).isTrue();
        });
        assertThat(target.works(FakeTarget.credential("initial"))).isFalse();
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPrevious()).isFalse();
        assertThat(completedSteps()).endsWith(Step.NOTIFY, Step.RETIRE);
        assertThat(events).filteredOn(RotationEvent.Retired.class::isInstance).singleElement()
                .isInstanceOfSatisfying(RotationEvent.Retired.class, r -> {
                    assertThat(r.retiredVersionId()).isEqualTo(initialId);
                    assertThat(r.why()).isEqualTo("emergency: leaked in ticket 42");
                });
        assertThat(sink.events.get(0).detail()).contains("emergency", "reason=leaked in ticket 42");
        assertThat(sink.events).allSatisfy(a -> assertThat(a.actor()).isEqualTo("alice"));
        assertThat(sink.events).filteredOn(a -> a.action() == AuditAction.ROTATION_RETIRED).singleElement()
                .satisfies(a -> assertThat(a.versionId()).isEqualTo(initialId));
    }

    @Test
    void aFailedEmergencyRetireIsReportedAndRetireDueRetriesItAtOnce() {
        target.overlap = true;
        target.failAt.add(Step.RETIRE);

        RotationResult result = engine.rotate(PATH, rotator, RotationRequest.emergency("alice", "leak"));

        String newId = current().version().id();
        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.RETIRE);
            assertThat(f.currentVersionId()).isEqualTo(newId);
            assertThat(f.rolledBack()).isFalse();
        });
        assertThat(target.works(FakeTarget.credential("initial"))).isTrue();

        target.failAt.clear();
        assertThat(engine.retireDue(PATH, rotator)).isInstanceOfSatisfying(RotationResult.Retired.class,
                r -> assertThat(r.retiredVersionId()).isEqualTo(initialId));
        assertThat(target.works(FakeTarget.credential("initial"))).isFalse();
    }

    @Test
    void retireDueWaitsForTheGracePeriodThenRetiresOnce() {
        target.overlap = true;
        engine.rotate(PATH, rotator, RotationRequest.scheduled());
        Instant rotatedAt = current().version().created();

        assertThat(engine.retireDue(PATH, rotator)).isInstanceOfSatisfying(RotationResult.NothingToDo.class,
                n -> assertThat(n.why()).contains("'" + initialId + "'", "due for RETIRE at " + rotatedAt.plus(GRACE)));
        assertThat(target.works(FakeTarget.credential("initial"))).isTrue();

        clock.advance(GRACE);
        assertThat(engine.retireDue(PATH, rotator)).isInstanceOf(RotationResult.Retired.class);
        assertThat(target.works(FakeTarget.credential("initial"))).isFalse();
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPrevious()).isFalse();

        assertThat(engine.retireDue(PATH, rotator)).isInstanceOfSatisfying(RotationResult.NothingToDo.class,
                n -> assertThat(n.why()).isEqualTo("no PREVIOUS version to retire"));
        assertThat(target.calls).filteredOn("retire"::equals).hasSize(1);
    }

    @Test
    void aNewRotationRetiresAPreviousStillInItsGracePeriodFirst() {
        target.overlap = true;
        engine.rotate(PATH, rotator, RotationRequest.scheduled());
        SecretValue first = current().value();

        engine.rotate(PATH, rotator, RotationRequest.scheduled());

        assertThat(target.works(FakeTarget.credential("initial"))).isFalse();
        assertThat(target.works(first)).isTrue();
        assertThat(events).filteredOn(RotationEvent.Retired.class::isInstance).singleElement()
                .satisfies(r -> assertThat(((RotationEvent.Retired) r).why()).startsWith("superseded by run "));
    }

    // ---- crashes ------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"PREPARE", "CREATE", "APPLY", "VERIFY", "PROMOTE", "NOTIFY"})
    void aCrashAfterAnyStepIsRecoveredByAFreshEngine(Step crashAfter) {
        RotationEngine dying = engine("engine-a", crashAfter(crashAfter));
        assertThatThrownBy(() -> dying.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(Crash.class);
        String deadRun = events.get(0).runId();
        clock.advance(LEASE.plusSeconds(1));
        events.clear();

        RotationResult result = engine("engine-b", null).resume(PATH, rotator);

        switch (crashAfter) {
            case PREPARE -> assertThat(result).isInstanceOfSatisfying(RotationResult.RolledBack.class,
                    r -> assertThat(r.currentVersionId()).isEqualTo(initialId));
            case CREATE -> assertThat(result).isInstanceOfSatisfying(RotationResult.RolledBack.class, r -> {
                assertThat(r.step()).isEqualTo(Step.CREATE);
                assertThat(target.calls).doesNotContain("apply");
            });
            default -> assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
                assertThat(s.resumed()).isTrue();
                assertThat(s.previousVersionId()).isEqualTo(initialId);
            });
        }
        assertThat(result.toString()).contains(deadRun);
        assertThat(target.works(current().value())).isTrue();
        assertThat(hasPending()).isFalse();
        assertThat(events.get(0)).isInstanceOfSatisfying(RotationEvent.Started.class, s -> {
            assertThat(s.runId()).isEqualTo(deadRun);
            assertThat(s.resumedAt()).isNotNull();
        });
        // The secret is free for the next rotation.
        assertThat(engine("engine-c", null).rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(target.works(current().value())).isTrue();
    }

    @Test
    void aCrashedEmergencyThatHadPromotedIsRetiredOnResume() {
        target.overlap = true;
        RotationEngine dying = engine("engine-a", crashAfter(Step.PROMOTE));
        assertThatThrownBy(() -> dying.rotate(PATH, rotator, RotationRequest.emergency("alice", "leak"))).isInstanceOf(Crash.class);
        assertThat(target.works(FakeTarget.credential("initial"))).isTrue();
        clock.advance(LEASE.plusSeconds(1));

        RotationResult result = engine("engine-b", null).resume(PATH, rotator);

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
        assertThat(target.works(FakeTarget.credential("initial"))).isFalse();
        assertThat(events).filteredOn(RotationEvent.Retired.class::isInstance).singleElement()
                .satisfies(r -> assertThat(((RotationEvent.Retired) r).why()).isEqualTo("emergency: leak"));
    }

    @Test
    void resumeWithNothingLeftSaysSo() {
        assertThat(engine.resume(PATH, rotator)).isInstanceOfSatisfying(RotationResult.NothingToDo.class,
                n -> assertThat(n.why()).isEqualTo("no rotation run to resume"));
        assertThat(engine.resume("no/such/secret", rotator)).isInstanceOf(RotationResult.NothingToDo.class);
    }

    @Test
    void aResumedRunMustBeDrivenByTheSameRotatorType() {
        RotationEngine dying = engine("engine-a", crashAfter(Step.APPLY));
        assertThatThrownBy(() -> dying.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(Crash.class);
        clock.advance(LEASE.plusSeconds(1));
        Rotator other = new DelegatingRotator(rotator) {
            @Override
            public String type() {
                return "other-type";
            }
        };

        RotationResult result = engine.resume(PATH, other);

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class,
                f -> assertThat(f.message()).contains("rotator type 'fake-password', not 'other-type'"));
        assertThat(hasPending()).isTrue();
    }

    @Test
    void aCacheLayerNeitherShowsAStaleLeaseNorServesTheOldValueAfterNotify() {
        // Two processes, each with its own cache over the same backend: a write by one does not
        // invalidate the other's cache.
        dev.rotor.store.CacheOptions hour = dev.rotor.store.CacheOptions.defaults().withTtl(Duration.ofHours(1));
        dev.rotor.store.DecoratedSecretStore cacheA = dev.rotor.store.SecretStoreBuilder.on(store).clock(clock).cache(hour).build();
        dev.rotor.store.DecoratedSecretStore cacheB = dev.rotor.store.SecretStoreBuilder.on(store).clock(clock).cache(hour).build();
        String leasePath = ".rotor/lease/" + PATH;
        RotationEngine b = RotationEngine.builder(cacheB).clock(clock).holder("engine-b").options(options).build();
        assertThat(FakeTarget.password(cacheA.get(PATH).value())).isEqualTo("initial"); // A's cache holds CURRENT
        List<Throwable> refused = new ArrayList<>();
        RotationEngine a = RotationEngine.builder(cacheA).clock(clock).holder("engine-a").options(options).listener(e -> {
            if (e instanceof RotationEvent.StepCompleted s && s.step() == Step.APPLY) {
                cacheB.get(leasePath); // B's cache now holds A's held lease record, for an hour
                try {
                    b.rotate(PATH, rotator, RotationRequest.scheduled());
                } catch (RotationInProgressException x) {
                    refused.add(x);
                }
            }
        }).build();

        assertThat(a.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);

        assertThat(refused).hasSize(1);
        assertThat(target.works(cacheA.get(PATH).value())).as("CURRENT through A's cache after NOTIFY").isTrue();
        // The lease is free, although B's cache still holds the record of A's run.
        assertThat(b.rotate(PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
    }

    // ---- state, options, builder --------------------------------------------------------------

    @Test
    void runStateRoundTripsThroughTagsThatFitSmallStores() {
        RunState s = new RunState("6f1c2a9e-8d7b-4a8e-9c51-2f3e1d7a6b40", Step.APPLY, "keycloak-client-secret-24",
                Instant.parse("2025-06-01T10:00:00.789Z"), true, null);
        VersionInfo v = new VersionInfo("7", Instant.parse("2025-06-01T10:00:01Z"), java.util.Set.of(Stage.PENDING), s.tags());

        assertThat(RunState.of(v)).contains(new RunState(s.runId(), Step.APPLY, s.rotatorType(), Instant.parse("2025-06-01T10:00:00Z"),
                true, v.created()));
        // AWS keeps a version's tags in one tag value: about 168 bytes of tags as JSON.
        String json = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(s.tags()).toString();
        assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(168);
        assertThat(RunState.of(new VersionInfo("8", Instant.EPOCH, java.util.Set.of(), java.util.Map.of("rotor.run", "x"))))
                .isEmpty();
    }

    @Test
    void optionsReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> new RotationOptions(Duration.ZERO, Duration.ofSeconds(-1), "no-slash"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field())
                        .containsExactly("rotation.leaseDuration", "rotation.gracePeriod", "rotation.leasePrefix"));
    }

    @Test
    void theBuilderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> RotationEngine.builder(store).clock(null).holder(" ").listener(null).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field())
                        .containsExactly("rotation.clock", "rotation.holder", "rotation.listeners"));
    }

    @Test
    void requestsCheckTheirFields() {
        assertThatThrownBy(() -> new RotationRequest(true, null, "alice")).hasMessageContaining("needs a reason");
        assertThatThrownBy(() -> new RotationRequest(false, "two\nlines", "alice")).hasMessageContaining("one line");
        assertThatThrownBy(() -> new RotationRequest(false, null, "")).hasMessageContaining("actor");
    }

    @Test
    void theLeaseRecordIsReadableAndFreeAfterARun() {
        engine.rotate(PATH, rotator, RotationRequest.scheduled());

        Secret lease = store.get(".rotor/lease/" + PATH);
        assertThat(lease.value().asUtf8()).contains("\"held\":false", "\"holder\":\"engine-a\"", "\"step\":\"SUCCEEDED\"");
        assertThatThrownBy(() -> store.get(".rotor/lease/" + PATH, Selector.PENDING)).isInstanceOf(SecretNotFoundException.class);
    }

    /** Forwards every call; tests override one method. */
    static class DelegatingRotator implements Rotator {
        private final Rotator inner;

        DelegatingRotator(Rotator inner) {
            this.inner = inner;
        }

        @Override
        public String type() {
            return inner.type();
        }

        @Override
        public void preflight(RotationContext context, Secret current) {
            inner.preflight(context, current);
        }

        @Override
        public SecretValue create(RotationContext context, Secret current) {
            return inner.create(context, current);
        }

        @Override
        public void apply(RotationContext context, Secret current, Secret pending) {
            inner.apply(context, current, pending);
        }

        @Override
        public void verify(RotationContext context, Secret pending) {
            inner.verify(context, pending);
        }

        @Override
        public void rollback(RotationContext context, Secret current, Secret pending) {
            inner.rollback(context, current, pending);
        }

        @Override
        public void retire(RotationContext context, Secret previous, Secret current) {
            inner.retire(context, previous, current);
        }
    }
}
