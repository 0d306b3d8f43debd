package dev.rotor.kubernetes;

import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.alert.Alerting;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationListener;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the CURRENT version of rotated secrets into Kubernetes Secrets, then restarts the
 * Deployments that read them (as {@code kubectl rollout restart} does: a pod template
 * annotation patch), so that pods reading the Secret through environment variables see the
 * new value.
 *
 * <p>A failed sync never undoes or fails the rotation: it is logged and alerted
 * ({@code sync-failed} alerts), remembered as failed, and retried with exponential backoff
 * ({@link #retryDue()}). The Secret carries the version id it holds
 * ({@value #ANNOTATION_VERSION}), so {@link #resyncStale()} at start (or any later check) finds
 * and repairs a sync that a restarted daemon forgot.
 *
 * <p>Thread-safe. Syncs triggered by rotation events run on one background thread; the other
 * methods run on the caller's thread. Two syncs of one secret at once are harmless: the update
 * is checked against the Secret's resourceVersion and retried on a conflict.
 *
 * @see dev.rotor.alert.Alert#KIND_SYNC_FAILED
 */
public final class KubernetesSecretSync implements AutoCloseable {

    /** Annotation: the secret ref whose CURRENT the Secret holds. */
    public static final String ANNOTATION_REF = "rotor.dev/secret-ref";
    /** Annotation: the version id the Secret holds. */
    public static final String ANNOTATION_VERSION = "rotor.dev/version";
    /** Label marking Secrets Rotor writes. */
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Pod template annotation: when Rotor restarted the Deployment. */
    public static final String ANNOTATION_RESTARTED_AT = "rotor.dev/restartedAt";
    /** Pod template annotation: the version id the restart was for. */
    public static final String ANNOTATION_RESTARTED_VERSION = "rotor.dev/restartedVersion";

    /** Counter: syncs that wrote a Secret (and restarted its Deployments). */
    public static final String METRIC_SYNCED = "rotor.kubernetes.sync.succeeded";
    /** Counter: sync attempts that failed (each retry counts). */
    public static final String METRIC_FAILED = "rotor.kubernetes.sync.failed";
    /** Gauge: secrets whose last sync failed and which wait for a retry. */
    public static final String METRIC_FAILING = "rotor.kubernetes.sync.failing";

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSecretSync.class);
    private static final int CONFLICT_RETRIES = 5;

    private final KubernetesClient client;
    private final SecretSource source;
    private final Map<SecretRef, KubernetesSyncTarget> targets;
    private final @Nullable Alerting alerting;
    private final Clock clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Map<SecretRef, SyncFailure> failures = new ConcurrentHashMap<>();
    private final Counter synced;
    private final Counter syncFailures;
    private final ExecutorService worker;
    private volatile @Nullable ScheduledExecutorService timer;

    private KubernetesSecretSync(Builder b) {
        this.client = b.client;
        this.source = b.source;
        this.targets = Map.copyOf(b.targets);
        this.alerting = b.alerting;
        this.clock = b.clock;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        MetricRegistry registry = b.metrics != null ? b.metrics : new MetricRegistry();
        this.synced = registry.counter(METRIC_SYNCED);
        this.syncFailures = registry.counter(METRIC_FAILED);
        registry.gauge(METRIC_FAILING, () -> (Gauge<Integer>) failures::size);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rotor-kubernetes-sync");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder(KubernetesClient client, SecretSource source) {
        return new Builder(client, source);
    }

    /** The configured targets by secret ref. */
    public Map<SecretRef, KubernetesSyncTarget> targets() {
        return targets;
    }

    /** Syncs after every successful rotation of a configured secret, on the background thread. Give it to the rotation service. */
    public RotationListener listener() {
        return event -> {
            switch (event) {
                case RotationEvent.Succeeded s -> {
                    SecretRef ref = SecretRef.of(s.store(), s.path());
                    if (targets.containsKey(ref)) {
                        worker.execute(() -> syncQuietly(ref));
                    }
                }
                default -> { } // only a promoted version is copied
            }
        };
    }

    /**
     * Writes the CURRENT version of {@code ref} into its Secret and restarts its Deployments, now,
     * on this thread. On failure the sync is recorded as failed, alerted and left for {@link #retryDue()}.
     *
     * @return the version id written
     * @throws KubernetesSyncException naming the verb, namespace and object that failed
     * @throws IllegalArgumentException if no target is configured for {@code ref}
     */
    public String sync(SecretRef ref) {
        KubernetesSyncTarget target = targets.get(ref);
        if (target == null) {
            throw new IllegalArgumentException("no kubernetes sync is configured for " + ref.format());
        }
        String versionId = "unknown";
        try {
            Secret current = source.current(ref);
            versionId = current.version().id();
            try {
                writeSecret(ref, target, current);
            } finally {
                current.value().destroy();
            }
            Instant now = clock.instant();
            for (String deployment : target.restart()) {
                restart(target.namespace(), deployment, versionId, now);
            }
        } catch (KubernetesSyncException e) {
            failed(ref, target, versionId, e);
            throw e;
        } catch (RotorException e) {
            // Reading CURRENT failed (Rotor's exceptions never hold a value).
            KubernetesSyncException wrapped = new KubernetesSyncException("kubernetes sync of " + ref.format() + " to " + target.describe()
                    + ": reading CURRENT failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), 0, e);
            failed(ref, target, versionId, wrapped);
            throw wrapped;
        }
        SyncFailure was = failures.remove(ref);
        synced.inc();
        LOG.info("synced {} version {} to {}{}", ref.format(), versionId, target.describe(),
                target.restart().isEmpty() ? "" : " and restarted deployments " + target.restart());
        if (was != null && alerting != null) {
            alerting.syncRecovered(ref, target.describe());
        }
        return versionId;
    }

    /**
     * Syncs every configured secret whose Kubernetes Secret does not hold the CURRENT version (missing,
     * or its {@value #ANNOTATION_VERSION} differs): the repair after a daemon restart. A secret whose
     * last sync failed is left to {@link #retryDue()}, so its backoff holds.
     *
     * @return the refs synced now (failures are recorded, alerted and left for {@link #retryDue()})
     */
    public List<SecretRef> resyncStale() {
        List<SecretRef> synced = new java.util.ArrayList<>();
        targets.forEach((ref, target) -> {
            if (failures.containsKey(ref)) {
                return;
            }
            try {
                String current = source.currentVersionId(ref);
                String held = heldVersion(target);
                if (!current.equals(held)) {
                    LOG.info("{} holds version {} of {}, CURRENT is {}: syncing", target.describe(), held == null ? "none" : held,
                            ref.format(), current);
                    sync(ref);
                    synced.add(ref);
                }
            } catch (KubernetesSyncException e) {
                if (!failures.containsKey(ref)) {
                    failed(ref, target, "unknown", e);
                }
            } catch (RotorException e) {
                LOG.warn("checking the kubernetes sync of {} failed: {}", ref.format(), e.getClass().getSimpleName());
            }
        });
        return synced;
    }

    /**
     * Retries the failed syncs whose backoff has passed.
     *
     * @return the refs synced now
     */
    public List<SecretRef> retryDue() {
        Instant now = clock.instant();
        List<SecretRef> synced = new java.util.ArrayList<>();
        for (Map.Entry<SecretRef, SyncFailure> e : Map.copyOf(failures).entrySet()) {
            if (!e.getValue().nextAttempt().isAfter(now)) {
                syncQuietly(e.getKey());
                if (!failures.containsKey(e.getKey())) {
                    synced.add(e.getKey());
                }
            }
        }
        return synced;
    }

    /** The syncs that failed and are waiting for a retry. */
    public Map<SecretRef, SyncFailure> failures() {
        return Map.copyOf(failures);
    }

    /**
     * Runs {@link #resyncStale()} once in the background now and {@link #retryDue()} and
     * {@link #resyncStale()} every {@code every} after. For the daemon; a one-shot command calls them itself.
     */
    public synchronized void start(Duration every) {
        if (timer != null) {
            return;
        }
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "rotor-kubernetes-resync");
            th.setDaemon(true);
            return th;
        });
        long seconds = Math.max(1, every.toSeconds());
        t.scheduleWithFixedDelay(() -> worker.execute(() -> {
            try {
                retryDue();
                resyncStale();
            } catch (RuntimeException e) {
                LOG.warn("kubernetes resync failed: {}", e.getClass().getName());
            }
        }), 0, seconds, TimeUnit.SECONDS);
        timer = t;
    }

    /**
     * Waits until the syncs queued so far have run.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try {
            worker.execute(done::countDown);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return worker.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the timer, lets queued syncs finish (up to 30 seconds), and closes the Kubernetes client. */
    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("kubernetes syncs still running at close; they are abandoned and retried at the next start");
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        client.close();
    }

    // ---- the work ---------------------------------------------------------------------------

    private void syncQuietly(SecretRef ref) {
        try {
            sync(ref);
        } catch (KubernetesSyncException e) {
            // Logged, alerted and recorded by sync().
        } catch (RuntimeException e) {
            LOG.warn("kubernetes sync of {} failed: {}", ref.format(), e.getClass().getName());
        }
    }

    private @Nullable String heldVersion(KubernetesSyncTarget target) {
        io.fabric8.kubernetes.api.model.Secret s = call("get", "secrets", target.namespace(), target.secret(),
                () -> client.secrets().inNamespace(target.namespace()).withName(target.secret()).get());
        if (s == null || s.getMetadata() == null || s.getMetadata().getAnnotations() == null) {
            return null;
        }
        return s.getMetadata().getAnnotations().get(ANNOTATION_VERSION);
    }

    private void writeSecret(SecretRef ref, KubernetesSyncTarget target, Secret current) {
        Map<String, String> data = encode(ref, target, current.value());
        String ns = target.namespace();
        String name = target.secret();
        for (int attempt = 1; ; attempt++) {
            io.fabric8.kubernetes.api.model.Secret existing = call("get", "secrets", ns, name,
                    () -> client.secrets().inNamespace(ns).withName(name).get());
            try {
                if (existing == null) {
                    io.fabric8.kubernetes.api.model.Secret created = new SecretBuilder()
                            .withMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name)
                                    .addToLabels(LABEL_MANAGED_BY, "rotor")
                                    .addToAnnotations(ANNOTATION_REF, ref.format())
                                    .addToAnnotations(ANNOTATION_VERSION, current.version().id())
                                    .build())
                            .withType("Opaque")
                            .withData(data)
                            .build();
                    call("create", "secrets", ns, name, () -> client.secrets().inNamespace(ns).resource(created).create());
                } else {
                    // Other data keys of the Secret are kept: only the mapped keys are Rotor's.
                    Map<String, String> merged = new LinkedHashMap<>(existing.getData() == null ? Map.of() : existing.getData());
                    merged.putAll(data);
                    io.fabric8.kubernetes.api.model.Secret updated = new SecretBuilder(existing)
                            .editMetadata()
                            .addToLabels(LABEL_MANAGED_BY, "rotor")
                            .addToAnnotations(ANNOTATION_REF, ref.format())
                            .addToAnnotations(ANNOTATION_VERSION, current.version().id())
                            .endMetadata()
                            .withData(merged)
                            .withStringData(null)
                            .build();
                    // update() sends the resourceVersion read above: a concurrent writer makes it a 409, retried below.
                    call("update", "secrets", ns, name, () -> client.secrets().inNamespace(ns).resource(updated).update());
                }
                return;
            } catch (KubernetesSyncException e) {
                // 409: changed since it was read (update), or created meanwhile (create): read again
                if (e.status() != 409 || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
                LOG.debug("{} changed while syncing {} (attempt {}); retrying", target.describe(), ref.format(), attempt);
            }
        }
    }

    private void restart(String ns, String deployment, String versionId, Instant now) {
        // A JSON merge patch of the pod template's annotations: a new template makes a new rollout, as kubectl rollout restart does.
        String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + ANNOTATION_RESTARTED_AT + "\":\"" + now
                + "\",\"" + ANNOTATION_RESTARTED_VERSION + "\":" + jsonString(versionId) + "}}}}}";
        call("patch", "deployments", ns, deployment, () -> {
            if (client.apps().deployments().inNamespace(ns).withName(deployment).get() == null) {
                throw new KubernetesClientException("not found", 404, null);
            }
            return client.apps().deployments().inNamespace(ns).withName(deployment).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        });
    }

    /** The Secret's data: base64 of the whole value, or of each mapped JSON field. */
    private static Map<String, String> encode(SecretRef ref, KubernetesSyncTarget target, SecretValue value) {
        Base64.Encoder b64 = Base64.getEncoder();
        Map<String, String> data = new LinkedHashMap<>();
        if (target.wholeValueKey() != null) {
            data.put(target.wholeValueKey(), b64.encodeToString(value.bytes()));
            return data;
        }
        for (Map.Entry<String, String> f : target.fields().entrySet()) {
            SecretValue field;
            try {
                field = value.field(f.getKey());
            } catch (RotorException e) {
                throw new KubernetesSyncException("kubernetes sync of " + ref.format() + " to " + target.describe() + ": CURRENT has no JSON field '"
                        + f.getKey() + "' for data key '" + f.getValue() + "'", 0, null);
            }
            try {
                data.put(f.getValue(), b64.encodeToString(field.bytes()));
            } finally {
                field.destroy();
            }
        }
        return data;
    }

    private static <T> T call(String verb, String resource, String ns, String name, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            // fabric8 reports no HTTP response as a code of 0 or -1
            int code = Math.max(0, e.getCode());
            String what = verb + " " + resource + " " + ns + "/" + name;
            String why = switch (code) {
                case 403 -> "refused (403 Forbidden): the service account needs RBAC verb '" + verb + "' on " + resource + " in namespace " + ns;
                case 401 -> "refused (401 Unauthorized): the service account's token was not accepted";
                case 404 -> "failed (404 Not Found)";
                case 409 -> "failed (409 Conflict): changed concurrently";
                case 0 -> "failed: the API server could not be reached (" + rootType(e) + ")";
                default -> "failed (HTTP " + code + ")";
            };
            // The client's own message may quote the request; the cause keeps only its type and status here.
            throw new KubernetesSyncException("kubernetes: " + what + " " + why, code, null);
        }
    }

    private static String rootType(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    private void failed(SecretRef ref, KubernetesSyncTarget target, String versionId, KubernetesSyncException e) {
        Instant now = clock.instant();
        SyncFailure f = failures.compute(ref, (k, prev) -> {
            int attempts = prev == null ? 1 : prev.attempts() + 1;
            Duration wait = backoff(attempts);
            return new SyncFailure(versionId, e.getMessage(), e.status(), attempts, now, now.plus(wait));
        });
        syncFailures.inc();
        LOG.warn("kubernetes sync of {} version {} to {} failed (attempt {}, next at {}); the rotation is done: {}", ref.format(), versionId,
                target.describe(), f.attempts(), f.nextAttempt(), e.getMessage());
        if (alerting != null) {
            try {
                alerting.syncFailed(ref, target.describe(), versionId, Objects.requireNonNullElse(e.getMessage(), "failed"));
            } catch (RuntimeException alertFailed) {
                LOG.warn("raising the sync alert for {} failed: {}", ref.format(), alertFailed.getClass().getName());
            }
        }
    }

    private Duration backoff(int attempts) {
        Duration d = initialBackoff;
        for (int i = 1; i < attempts && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A sync that failed and waits for its retry.
     *
     * @param versionId the version it tried to write ({@code unknown} if reading CURRENT failed)
     * @param error what failed: verb, object, status; never a value
     * @param status the API's HTTP status, 0 if none
     * @param attempts failed attempts in a row
     * @param failedAt when the last attempt failed
     * @param nextAttempt when {@link #retryDue()} tries again
     */
    public record SyncFailure(String versionId, String error, int status, int attempts, Instant failedAt, Instant nextAttempt) {
        public SyncFailure {
            Objects.requireNonNull(versionId, "versionId");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(failedAt, "failedAt");
            Objects.requireNonNull(nextAttempt, "nextAttempt");
        }
    }

    /** Configures a {@link KubernetesSecretSync}; {@link #build()} checks every setting at once. */
    public static final class Builder {
        private final KubernetesClient client;
        private final SecretSource source;
        private final Map<SecretRef, KubernetesSyncTarget> targets = new LinkedHashMap<>();
        private @Nullable Alerting alerting;
        private @Nullable MetricRegistry metrics;
        private Clock clock = Clock.systemUTC();
        private Duration initialBackoff = Duration.ofSeconds(30);
        private Duration maxBackoff = Duration.ofMinutes(15);

        private Builder(KubernetesClient client, SecretSource source) {
            this.client = Objects.requireNonNull(client, "client");
            this.source = Objects.requireNonNull(source, "source");
        }

        /** Syncs {@code ref} (a whole secret: no field or selector) to {@code target}. */
        public Builder target(SecretRef ref, KubernetesSyncTarget target) {
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(target, "target");
            targets.put(SecretRef.of(ref.store(), ref.path()), target);
            return this;
        }

        /** Raises {@code sync-failed} alerts here; without it failures are only logged. */
        public Builder alerting(@Nullable Alerting a) {
            this.alerting = a;
            return this;
        }

        /**
         * Registers {@value #METRIC_SYNCED}, {@value #METRIC_FAILED} and {@value #METRIC_FAILING} here;
         * without it they are kept out of sight.
         */
        public Builder metrics(@Nullable MetricRegistry registry) {
            this.metrics = registry;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** The wait after the first failure, doubled per further failure up to {@code max}. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial, "initial");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        public KubernetesSecretSync build() {
            List<String> problems = new java.util.ArrayList<>();
            if (initialBackoff.isNegative() || initialBackoff.isZero()) {
                problems.add("backoff initial: must be positive");
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                problems.add("backoff max: must not be shorter than the initial backoff");
            }
            Map<String, SecretRef> bySecret = new java.util.HashMap<>();
            targets.forEach((ref, t) -> {
                SecretRef other = bySecret.putIfAbsent(t.namespace() + "/" + t.secret(), ref);
                if (other != null) {
                    problems.add("target " + t.describe() + ": written by " + other.format() + " and " + ref.format());
                }
            });
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return new KubernetesSecretSync(this);
        }
    }

    /** The target configured for {@code ref}, if any. */
    public Optional<KubernetesSyncTarget> target(SecretRef ref) {
        return Optional.ofNullable(targets.get(SecretRef.of(ref.store(), ref.path())));
    }
}
