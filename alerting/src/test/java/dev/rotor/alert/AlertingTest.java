package dev.rotor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AuditUnavailableException;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import dev.rotor.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final SecretRef APP = SecretRef.parse("secret://main/db/app");
    private static final SecretRef OTHER = SecretRef.parse("secret://main/api/key");

    private final TestClock clock = new TestClock(Instant.parse("2026-03-02T02:00:00Z"));
    private final RecordingSink ops = new RecordingSink("ops");
    private final RecordingSink dba = new RecordingSink("dba");
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private Alerting alerting;

    private Alerting.Builder builder() {
        return Alerting.builder().clock(clock).renotify(Duration.ofHours(4))
                .route("ops", ops).route("dba", dba, ops).defaultRoutes(List.of("ops"))
                .policyRoutes(ref -> ref.equals(APP) ? List.of("dba") : List.of())
                .delivery(new DeliveryOptions(100, 3, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .sleeper(waits::add);
    }

    @AfterEach
    void close() {
        if (alerting != null) {
            alerting.close();
        }
    }

    private void settle() throws InterruptedException {
        assertThat(alerting.awaitDelivery(WAIT)).isTrue();
    }

    @Test
    void conditionIsSentOnceUntilRenotifyAndResolvedOnce() throws Exception {
        alerting = builder().build();
        Instant deadline = clock.instant();
        alerting.overdue(OTHER, deadline);
        clock.advance(Duration.ofHours(1));
        alerting.overdue(OTHER, deadline);
        clock.advance(Duration.ofHours(3));
        alerting.overdue(OTHER, deadline); // 4h after the first notice: re-notified
        clock.advance(Duration.ofMinutes(1));
        alerting.overdue(OTHER, deadline);
        alerting.onTime(OTHER);
        alerting.onTime(OTHER);
        settle();

        List<Alert> sent = ops.sent();
        assertThat(sent).extracting(Alert::resolved).containsExactly(false, false, true);
        assertThat(sent).extracting(Alert::key).containsOnly("rotation-overdue|secret://main/api/key");
        assertThat(sent.get(1).details()).containsEntry("occurrences", "3").containsEntry("firstSeen", deadline.toString());
        assertThat(sent.get(2).severity()).isEqualTo(Severity.INFO);
        assertThat(sent.get(2).summary()).startsWith("resolved: rotation of secret://main/api/key is overdue");
        assertThat(alerting.activeConditions()).isEmpty();
        assertThat(dba.sent()).isEmpty();
    }

    @Test
    void policyRoutesWinOverDefaultsAndASinkInTwoRoutesGetsEachAlertOnce() throws Exception {
        alerting = builder().route("spare", new RecordingSink("spare")).build();
        alerting.overdue(APP, clock.instant());
        settle();
        assertThat(dba.sent()).hasSize(1);
        assertThat(ops.sent()).hasSize(1);
    }

    @Test
    void unknownRouteNamesAreRejectedAtBuildAndSkippedAtRuntime() throws Exception {
        assertThatThrownBy(() -> Alerting.builder().route("ops", ops).defaultRoutes(List.of("ops", "pager")).route("Bad Name", ops).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field()).containsExactlyInAnyOrder("alerts.routes", "alerts.defaultRoutes[1]"));

        alerting = builder().policyRoutes(ref -> List.of("nowhere", "ops")).build();
        alerting.overdue(APP, clock.instant());
        settle();
        assertThat(ops.sent()).hasSize(1);
    }

    @Test
    void failedRotationsAlertOncePerStepAndSuccessResolvesThem() throws Exception {
        alerting = builder().build();
        Canary value = Canary.create();
        Canary inError = Canary.create();
        InMemorySecretStore store = new InMemorySecretStore("main", clock);
        store.put(APP.path(), value.value(), PutOptions.current());
        RotationEngine engine = RotationEngine.builder(store).clock(clock).listener(alerting.rotationListener()).build();
        ScriptedRotator rotator = new ScriptedRotator(inError.text());

        LeakChecker leaks = LeakChecker.start(value, inError);
        try (leaks) {
            rotator.failAt(Step.VERIFY);
            engine.rotate(APP.path(), rotator, RotationRequest.scheduled());
            engine.rotate(APP.path(), rotator, RotationRequest.scheduled());
            rotator.failAt(Step.PREPARE);
            engine.rotate(APP.path(), rotator, RotationRequest.scheduled());
            rotator.failAt(null);
            engine.rotate(APP.path(), rotator, RotationRequest.scheduled());
            engine.rotate(APP.path(), rotator, RotationRequest.scheduled());
            settle();
        }
        leaks.assertNoLeaks();

        List<Alert> sent = dba.sent();
        assertThat(sent).extracting(Alert::key, Alert::resolved).containsExactly(
                org.assertj.core.groups.Tuple.tuple("rotation-failed|secret://main/db/app|VERIFY", false),
                org.assertj.core.groups.Tuple.tuple("rotation-failed|secret://main/db/app|PREPARE", false),
                org.assertj.core.groups.Tuple.tuple("rotation-failed|secret://main/db/app|VERIFY", true),
                org.assertj.core.groups.Tuple.tuple("rotation-failed|secret://main/db/app|PREPARE", true));
        assertThat(sent.get(0).severity()).isEqualTo(Severity.WARNING);
        for (Alert a : sent) {
            LeakChecker.assertNoCanaryIn("alert", a.toString(), value, inError);
        }
    }

    @Test
    void emergencyRotationRaisesOneCriticalAlertWithActorAndReason() throws Exception {
        alerting = builder().build();
        InMemorySecretStore store = new InMemorySecretStore("main", clock);
        store.put(APP.path(), Canary.create().value(), PutOptions.current());
        RotationEngine engine = RotationEngine.builder(store).clock(clock).listener(alerting.rotationListener()).build();
        ScriptedRotator rotator = new ScriptedRotator("unused-leak-text");

        RotationResult r = engine.rotate(APP.path(), rotator, RotationRequest.emergency("alice@ops", "key posted in a public chat"));
        assertThat(r).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
        settle();

        assertThat(dba.sent()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Alert.KIND_EMERGENCY_ROTATION);
            assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.summary()).isEqualTo("emergency rotation of secret://main/db/app executed by alice@ops; old credential revoked");
            assertThat(a.details()).containsEntry("actor", "alice@ops").containsEntry("reason", "key posted in a public chat")
                    .containsEntry("previousRetired", "1").containsEntry("newVersion", ((RotationResult.Succeeded) r).currentVersionId());
        });
    }

    @Test
    void emergencyWhoseRetireFailsSaysSoAndRaisesACriticalFailure() throws Exception {
        alerting = builder().build();
        InMemorySecretStore store = new InMemorySecretStore("main", clock);
        store.put(APP.path(), Canary.create().value(), PutOptions.current());
        RotationEngine engine = RotationEngine.builder(store).clock(clock).listener(alerting.rotationListener()).build();
        ScriptedRotator rotator = new ScriptedRotator("unused-leak-text");
        rotator.failAt(Step.RETIRE);

        engine.rotate(APP.path(), rotator, RotationRequest.emergency("bob", "leaked"));
        settle();

        assertThat(dba.sent()).hasSize(2);
        Alert emergency = dba.sent().stream().filter(a -> a.kind().equals(Alert.KIND_EMERGENCY_ROTATION)).findFirst().orElseThrow();
        assertThat(emergency.summary()).endsWith("revoking the old credential FAILED");
        assertThat(emergency.details().get("previousRetired")).startsWith("FAILED: ");
        Alert failed = dba.sent().stream().filter(a -> a.kind().equals(Alert.KIND_ROTATION_FAILED)).findFirst().orElseThrow();
        assertThat(failed.key()).isEqualTo("rotation-failed|secret://main/db/app|RETIRE");
        assertThat(failed.severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void readsAboveThePerMinuteThresholdAlertOncePerActor() throws Exception {
        alerting = builder().unusualAccess(5, Duration.ZERO).build();
        for (int i = 0; i < 5; i++) {
            alerting.onAudit(read("ci", "app/a", 1));
        }
        settle();
        assertThat(ops.sent()).extracting(Alert::kind).containsOnly(Alert.KIND_ACCESS_NEW_ACTOR);
        int before = ops.sent().size();

        alerting.onAudit(read("ci", "app/a", 1)); // the sixth read in the minute
        alerting.onAudit(read("ci", "app/a", 40)); // a cache summary counts every read
        clock.advance(Duration.ofMinutes(1));
        alerting.onAudit(read("ci", "app/a", 2)); // a new minute, under the threshold
        settle();
        List<Alert> rate = ops.sent().subList(before, ops.sent().size());
        assertThat(rate).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Alert.KIND_ACCESS_RATE);
            assertThat(a.details()).containsEntry("actor", "ci").containsEntry("reads", "6").containsEntry("threshold", "5");
        });
    }

    @Test
    void anActorNewToASecretAlertsOnlyAfterTheLearningPeriod() throws Exception {
        alerting = builder().unusualAccess(1000, Duration.ofDays(1)).build();
        alerting.onAudit(read("app", "db/app", 1));
        clock.advance(Duration.ofDays(1));
        alerting.onAudit(read("app", "db/app", 1)); // learned
        alerting.onAudit(read("mallory", "db/app", 1)); // new after learning
        alerting.onAudit(read("mallory", "db/app", 1)); // now known
        alerting.onAudit(AuditEvent.single(clock.instant(), "rotor", AuditAction.ROTATION_STARTED, "main", "db/app", null, null,
                AuditOutcome.SUCCESS, "r1", "rotator=x"));
        settle();

        assertThat(dba.sent()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Alert.KIND_ACCESS_NEW_ACTOR);
            assertThat(a.ref()).isEqualTo("secret://main/db/app");
            assertThat(a.details()).containsEntry("actor", "mallory").containsEntry("action", "GET");
        });
    }

    @Test
    void auditSinkFailureAlertsOnceAndRecoveryResolvesIt() throws Exception {
        alerting = builder().build();
        AtomicBoolean broken = new AtomicBoolean(true);
        List<AuditEvent> written = new ArrayList<>();
        AuditSink sink = alerting.watch(new AuditSink() {
            @Override
            public void append(AuditEvent event) {
                if (broken.get()) {
                    throw new AuditUnavailableException("disk full", new java.io.IOException("no space left"));
                }
                written.add(event);
            }

            @Override
            public String describe() {
                return "file:/var/lib/rotor/audit.jsonl";
            }

            @Override
            public void close() {}
        });

        assertThatThrownBy(() -> sink.append(read("app", "db/app", 1))).isInstanceOf(AuditUnavailableException.class);
        assertThatThrownBy(() -> sink.append(read("app", "db/app", 1))).isInstanceOf(AuditUnavailableException.class);
        broken.set(false);
        sink.append(read("app", "db/app", 1));
        sink.append(read("app", "db/app", 1));
        settle();

        assertThat(written).hasSize(2);
        assertThat(ops.sent()).extracting(Alert::key, Alert::resolved).containsExactly(
                org.assertj.core.groups.Tuple.tuple("audit-sink-failed|file:/var/lib/rotor/audit.jsonl", false),
                org.assertj.core.groups.Tuple.tuple("audit-sink-failed|file:/var/lib/rotor/audit.jsonl", true));
        assertThat(ops.sent().get(0).details()).containsEntry("error", "AuditUnavailableException");
        assertThat(ops.sent().get(0).severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void aFailingPolicyRouteLookupFallsBackToTheDefaultRoutesAndNeverFailsAnAuditWrite() throws Exception {
        alerting = builder().unusualAccess(1000, Duration.ZERO).policyRoutes(ref -> {
            throw new IllegalStateException("policy table not loaded");
        }).build();
        List<AuditEvent> written = new ArrayList<>();
        AuditSink sink = alerting.watch(new AuditSink() {
            @Override
            public void append(AuditEvent event) {
                written.add(event);
            }

            @Override
            public String describe() {
                return "memory";
            }

            @Override
            public void close() {}
        });
        sink.append(read("app", "db/app", 1));
        settle();
        assertThat(written).hasSize(1);
        assertThat(ops.sent()).singleElement().satisfies(a -> assertThat(a.kind()).isEqualTo(Alert.KIND_ACCESS_NEW_ACTOR));
        assertThat(dba.sent()).isEmpty();
    }

    @Test
    void authFailureBurstsAreCountedInASlidingWindowPerClient() throws Exception {
        alerting = builder().authFailures(3, Duration.ofMinutes(1)).build();
        alerting.authFailure("10.0.0.7");
        clock.advance(Duration.ofSeconds(50));
        alerting.authFailure("10.0.0.7");
        clock.advance(Duration.ofSeconds(20)); // the first has left the window
        alerting.authFailure("10.0.0.7");
        alerting.authFailure("other-client");
        settle();
        assertThat(ops.sent()).isEmpty();

        alerting.authFailure("10.0.0.7"); // three within a minute
        alerting.authFailure("10.0.0.7"); // same burst: deduplicated
        settle();
        assertThat(ops.sent()).singleElement().satisfies(a -> {
            assertThat(a.key()).isEqualTo("auth-failure-burst|10.0.0.7");
            assertThat(a.details()).containsEntry("client", "10.0.0.7").containsEntry("failures", "3");
        });

        clock.advance(Duration.ofHours(4)); // after the re-notify interval a new burst is news again
        for (int i = 0; i < 3; i++) {
            alerting.authFailure("10.0.0.7");
        }
        settle();
        assertThat(ops.sent()).hasSize(2);
    }

    @Test
    void deliveryRetriesWithDoublingBackoffThenGivesUpAndCounts() throws Exception {
        alerting = builder().build();
        ops.failNext(2, true);
        alerting.overdue(OTHER, clock.instant());
        settle();
        assertThat(ops.sent()).hasSize(1);
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));

        ops.failNext(3, true); // as many failures as tries: given up
        alerting.overdue(SecretRef.parse("secret://main/x"), clock.instant());
        settle();
        assertThat(ops.sent()).hasSize(1);
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2));
        DeliveryStats stats = alerting.deliveryStats().stream().filter(s -> s.sink().equals("recording:ops")).findFirst().orElseThrow();
        assertThat(stats.retried()).isEqualTo(4);
        assertThat(stats.delivered()).isEqualTo(1);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.queued()).isZero();
    }

    @Test
    void gaugesSumTheSinksAndCountOpenConditions() throws Exception {
        alerting = builder().build();
        com.codahale.metrics.MetricRegistry registry = new com.codahale.metrics.MetricRegistry();
        alerting.registerMetrics(registry);
        dba.failNext(1, false);
        alerting.overdue(APP, clock.instant()); // to dba (refused once) and ops
        alerting.overdue(OTHER, clock.instant()); // to ops
        settle();
        assertThat(registry.getGauges().get("rotor.alerts.delivered").getValue()).isEqualTo(2L);
        assertThat(registry.getGauges().get("rotor.alerts.failed").getValue()).isEqualTo(1L);
        assertThat(registry.getGauges().get("rotor.alerts.queued").getValue()).isEqualTo(0L);
        assertThat(registry.getGauges().get("rotor.alerts.active").getValue()).isEqualTo(2L);
    }

    @Test
    void aRejectedRequestIsNotRetried() throws Exception {
        alerting = builder().build();
        ops.failNext(1, false);
        alerting.overdue(OTHER, clock.instant());
        settle();
        assertThat(ops.tries()).isEqualTo(1);
        assertThat(ops.sent()).isEmpty();
        assertThat(alerting.deliveryStats()).filteredOn(s -> s.sink().equals("recording:ops"))
                .singleElement().satisfies(s -> assertThat(s.failed()).isEqualTo(1));
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlockingTheCaller() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AlertSink slow = new AlertSink() {
            @Override
            public void send(Alert alert) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public String describe() {
                return "slow";
            }
        };
        alerting = Alerting.builder().clock(clock).route("ops", slow)
                .delivery(new DeliveryOptions(2, 1, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1))).build();
        for (int i = 0; i < 10; i++) {
            alerting.overdue(SecretRef.parse("secret://main/s" + i), clock.instant());
        }
        DeliveryStats stats = alerting.deliveryStats().get(0);
        // One in the sink, two queued, the rest dropped; the exact split depends on when the worker took the first.
        assertThat(stats.dropped()).isBetween(7L, 8L);
        release.countDown();
        settle();
        assertThat(alerting.deliveryStats().get(0).delivered() + alerting.deliveryStats().get(0).dropped()).isEqualTo(10);
    }

    private AuditEvent read(String actor, String path, long count) {
        Instant t = clock.instant();
        return new AuditEvent(t, actor, count > 1 ? AuditAction.CACHED_GET : AuditAction.GET, "main", path, "1", "stage=current",
                AuditOutcome.SUCCESS, "req", null, count, t);
    }
}
