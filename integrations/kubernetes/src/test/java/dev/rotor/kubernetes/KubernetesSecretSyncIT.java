package dev.rotor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;

import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.alert.Alert;
import dev.rotor.alert.Alerting;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import dev.rotor.testkit.TestClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Secret sync and rollout restart against fabric8's Kubernetes API mock server in CRUD mode,
 * driven by the real rotation engine on the in-memory store. Every password is a canary that
 * must reach the Secret's data and nothing else (logs, errors, annotations, alerts).
 */
class KubernetesSecretSyncIT {

    private static final SecretRef REF = SecretRef.of("main", "db/app");
    private static final String NS = "payments";
    private static final KubernetesSyncTarget TARGET = new KubernetesSyncTarget(NS, "app-db", null,
            Map.of("username", "DB_USER", "password", "DB_PASSWORD"), List.of("api"));

    @RegisterExtension
    final RotorLeakCheck leaks = new RotorLeakCheck();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-02T03:00:00Z"));
    private final RecordingAlertSink alerts = new RecordingAlertSink();
    private KubernetesApi api;
    private InMemorySecretStore store;
    private Alerting alerting;
    private KubernetesSecretSync sync;
    private final MetricRegistry metrics = new MetricRegistry();
    private CanaryRotator rotator;
    private RotationEngine engine;

    @BeforeEach
    void setUp() {
        api = new KubernetesApi();
        store = new InMemorySecretStore("main", clock);
        Canary first = leaks.canary();
        store.put(REF.path(), SecretValue.ofFields(Map.of("username", "app", "password", first.text())), PutOptions.current());
        api.client().apps().deployments().inNamespace(NS).resource(deployment("api")).create();
        alerting = Alerting.builder().clock(clock).route("ops", alerts).defaultRoutes(List.of("ops")).build();
        sync = newSync(api.newClient());
        rotator = new CanaryRotator(leaks::canary);
        engine = RotationEngine.builder(store).clock(clock).listener(sync.listener()).build();
    }

    @AfterEach
    void tearDown() {
        sync.close();
        alerting.close();
        api.close();
    }

    private KubernetesSecretSync newSync(io.fabric8.kubernetes.client.KubernetesClient client) {
        return KubernetesSecretSync.builder(client, SecretSource.of(name -> store)).target(REF, TARGET).alerting(alerting).clock(clock)
                .metrics(metrics).backoff(Duration.ofSeconds(30), Duration.ofMinutes(15)).build();
    }

    private String rotate() throws InterruptedException {
        RotationResult r = engine.rotate(REF.path(), rotator, RotationRequest.scheduled());
        assertThat(r).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(sync.awaitIdle(Duration.ofSeconds(30))).isTrue();
        return store.get(REF.path()).version().id();
    }

    @Test
    void rotationCreatesTheSecretThenUpdatesItAndRestartsTheDeployment() throws Exception {
        String v1 = rotate();
        Secret created = secret();
        assertThat(decoded(created)).containsExactlyInAnyOrderEntriesOf(Map.of("DB_USER", "app", "DB_PASSWORD", rotator.last().text()));
        assertThat(created.getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v1)
                .containsEntry(KubernetesSecretSync.ANNOTATION_REF, "secret://main/db/app");
        assertThat(created.getMetadata().getLabels()).containsEntry(KubernetesSecretSync.LABEL_MANAGED_BY, "rotor");
        assertThat(podTemplateAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_RESTARTED_VERSION, v1)
                .containsEntry(KubernetesSecretSync.ANNOTATION_RESTARTED_AT, clock.instant().toString());

        clock.advance(Duration.ofHours(1));
        String v2 = rotate();
        Secret updated = secret();
        assertThat(v2).isNotEqualTo(v1);
        assertThat(updated.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());
        assertThat(decoded(updated)).containsEntry("DB_PASSWORD", rotator.last().text());
        assertThat(updated.getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v2);
        assertThat(podTemplateAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_RESTARTED_VERSION, v2)
                .containsEntry(KubernetesSecretSync.ANNOTATION_RESTARTED_AT, clock.instant().toString());
        assertThat(sync.failures()).isEmpty();
        assertNoCanaryOutsideData(updated);
    }

    @Test
    void aConflictingWriterMakesTheUpdateReadAgainAndRetry() throws Exception {
        String v1 = rotate();
        api.conflictNextPuts(2);
        clock.advance(Duration.ofHours(1));
        String v2 = rotate();
        assertThat(v2).isNotEqualTo(v1);
        assertThat(sync.failures()).isEmpty();
        assertThat(secret().getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v2);
        assertThat(api.requestLog().stream().filter(r -> r.startsWith("PUT ") && r.contains("/secrets/app-db"))).hasSize(3);
    }

    @Test
    void anUpdateKeepsTheSecretsOtherDataKeys() throws Exception {
        api.client().secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("app-db").withNamespace(NS).endMetadata()
                .withData(Map.of("ca.crt", Base64.getEncoder().encodeToString("not secret".getBytes(StandardCharsets.UTF_8)))).build()).create();
        rotate();
        assertThat(decoded(secret())).containsEntry("ca.crt", "not secret").containsEntry("DB_PASSWORD", rotator.last().text());
    }

    @Test
    void anRbacRefusalAlertsLeavesTheRotationDoneAndIsRetriedOnceItEnds() throws Exception {
        api.client().secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("app-db").withNamespace(NS).endMetadata().withData(Map.of()).build()).create();
        api.refuseSecrets("PUT", "POST");

        String v1 = rotate(); // asserts the rotation succeeded
        assertThat(store.get(REF.path()).value().field("password").asUtf8()).isEqualTo(rotator.last().text());

        KubernetesSecretSync.SyncFailure failure = sync.failures().get(REF);
        assertThat(failure).isNotNull();
        assertThat(failure.status()).isEqualTo(403);
        assertThat(failure.versionId()).isEqualTo(v1);
        assertThat(failure.error()).contains("update secrets payments/app-db", "403", "RBAC verb 'update'");
        assertThat(failure.nextAttempt()).isEqualTo(clock.instant().plusSeconds(30));
        assertThat(secret().getData()).isEmpty();
        assertThat(podTemplateAnnotations()).doesNotContainKey(KubernetesSecretSync.ANNOTATION_RESTARTED_VERSION);

        assertThatThrownBy(() -> sync.sync(REF)).isInstanceOf(KubernetesSyncException.class)
                .hasMessageContaining("update secrets payments/app-db refused (403 Forbidden)")
                .satisfies(e -> assertThat(((KubernetesSyncException) e).forbidden()).isTrue());
        assertThat(sync.failures().get(REF).attempts()).isEqualTo(2);
        assertThat(sync.failures().get(REF).nextAttempt()).isEqualTo(clock.instant().plusSeconds(60));
        assertThat(metrics.counter(KubernetesSecretSync.METRIC_FAILED).getCount()).isEqualTo(2);
        assertThat(metrics.getGauges().get(KubernetesSecretSync.METRIC_FAILING).getValue()).isEqualTo(1);
        assertThat(metrics.counter(KubernetesSecretSync.METRIC_SYNCED).getCount()).isZero();

        assertThat(alerting.awaitDelivery(Duration.ofSeconds(30))).isTrue();
        List<Alert> raised = alerts.sent().stream().filter(a -> a.kind().equals(Alert.KIND_SYNC_FAILED)).toList();
        assertThat(raised).hasSize(1); // deduplicated: two failures, one alert
        assertThat(raised.getFirst().ref()).isEqualTo("secret://main/db/app");
        assertThat(raised.getFirst().details()).containsEntry("target", "kubernetes:payments/app-db").containsEntry("version", v1);
        assertThat(raised.getFirst().details().get("error")).contains("403");

        // Not yet due: nothing is retried, and the stale check leaves it to its backoff.
        assertThat(sync.retryDue()).isEmpty();
        assertThat(sync.resyncStale()).isEmpty();
        assertThat(sync.failures().get(REF).attempts()).isEqualTo(2);
        api.refuseSecrets();
        clock.advance(Duration.ofSeconds(60));
        assertThat(sync.retryDue()).containsExactly(REF);
        assertThat(sync.failures()).isEmpty();
        assertThat(metrics.getGauges().get(KubernetesSecretSync.METRIC_FAILING).getValue()).isEqualTo(0);
        assertThat(metrics.counter(KubernetesSecretSync.METRIC_SYNCED).getCount()).isEqualTo(1);
        assertThat(metrics.counter(KubernetesSecretSync.METRIC_FAILED).getCount()).isEqualTo(2);
        assertThat(metrics.getNames()).allSatisfy(name -> LeakChecker.assertNoCanaryIn("metric name", name, leaks.canaries()));
        assertThat(secret().getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v1);
        assertThat(decoded(secret())).containsEntry("DB_PASSWORD", rotator.last().text());
        assertThat(podTemplateAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_RESTARTED_VERSION, v1);
        assertThat(alerting.awaitDelivery(Duration.ofSeconds(30))).isTrue();
        assertThat(alerts.sent()).anySatisfy(a -> {
            assertThat(a.kind()).isEqualTo(Alert.KIND_SYNC_FAILED);
            assertThat(a.resolved()).isTrue();
        });

        for (Alert a : alerts.sent()) {
            LeakChecker.assertNoCanaryIn("alert", a.toString(), leaks.canaries());
        }
        assertNoCanaryOutsideData(secret());
    }

    @Test
    void aRestartedDaemonResyncsASecretLeftStale() throws Exception {
        api.refuseSecrets("PUT", "POST");
        String v1 = rotate();
        assertThat(sync.failures()).containsKey(REF);
        // The daemon stops; its memory of the failure goes with it.
        sync.close();
        api.refuseSecrets();

        sync = newSync(api.newClient());
        assertThat(sync.failures()).isEmpty();
        assertThat(sync.resyncStale()).containsExactly(REF);
        assertThat(secret().getMetadata().getAnnotations()).containsEntry(KubernetesSecretSync.ANNOTATION_VERSION, v1);
        // Up to date now: the next check writes nothing.
        String rv = secret().getMetadata().getResourceVersion();
        assertThat(sync.resyncStale()).isEmpty();
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(rv);
    }

    @Test
    void aMissingDeploymentFailsTheSyncNamingIt() throws Exception {
        KubernetesSyncTarget missing = new KubernetesSyncTarget(NS, "app-db", "value", Map.of(), List.of("gone"));
        try (KubernetesSecretSync other = KubernetesSecretSync.builder(api.newClient(), SecretSource.of(name -> store)).target(REF, missing)
                .clock(clock).build()) {
            assertThatThrownBy(() -> other.sync(REF)).isInstanceOf(KubernetesSyncException.class)
                    .hasMessageContaining("patch deployments payments/gone failed (404 Not Found)");
            assertThat(other.failures()).containsKey(REF);
        }
    }

    @Test
    void aMissingJsonFieldFailsNamingTheFieldNotTheValue() {
        KubernetesSyncTarget wrong = new KubernetesSyncTarget(NS, "app-db", null, Map.of("pass", "DB_PASSWORD"), List.of());
        try (KubernetesSecretSync other = KubernetesSecretSync.builder(api.newClient(), SecretSource.of(name -> store)).target(REF, wrong)
                .clock(clock).build()) {
            assertThatThrownBy(() -> other.sync(REF)).isInstanceOf(KubernetesSyncException.class)
                    .hasMessageContaining("no JSON field 'pass'");
        }
    }

    @Test
    void twoSecretsWrittenToOneKubernetesSecretAreRefused() {
        assertThatThrownBy(() -> KubernetesSecretSync.builder(api.newClient(), SecretSource.of(name -> store)).target(REF, TARGET)
                .target(SecretRef.of("main", "db/other"), TARGET).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kubernetes:payments/app-db: written by secret://main/db/app and secret://main/db/other");
    }

    private void assertNoCanaryOutsideData(Secret s) {
        LeakChecker.assertNoCanaryIn("annotations", String.valueOf(s.getMetadata().getAnnotations()), leaks.canaries());
        LeakChecker.assertNoCanaryIn("labels", String.valueOf(s.getMetadata().getLabels()), leaks.canaries());
        LeakChecker.assertNoCanaryIn("pod template", String.valueOf(podTemplateAnnotations()), leaks.canaries());
        LeakChecker.assertNoCanaryIn("failures", String.valueOf(sync.failures()), leaks.canaries());
    }

    private Secret secret() {
        return api.client().secrets().inNamespace(NS).withName("app-db").get();
    }

    private Map<String, String> podTemplateAnnotations() {
        Deployment d = api.client().apps().deployments().inNamespace(NS).withName("api").get();
        Map<String, String> a = d.getSpec().getTemplate().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new java.util.TreeMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }

    private static Deployment deployment(String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage("example/" + name + ":1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }
}
