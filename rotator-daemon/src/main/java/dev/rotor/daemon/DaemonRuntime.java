package dev.rotor.daemon;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.SecretRef;
import dev.rotor.alert.Alerting;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.audit.StdoutAuditSink;
import dev.rotor.config.AuditConfig;
import dev.rotor.config.CheckpointKeys;
import dev.rotor.kubernetes.KubernetesClients;
import dev.rotor.kubernetes.KubernetesSecretSync;
import dev.rotor.kubernetes.SecretSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.rotor.audit.postgres.PostgresAuditSink;
import dev.rotor.spi.ProviderRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a daemon or a rotation command opens from one configuration: alerting (the
 * {@code alerts:} section), the audit sinks (the file and standard output of the {@code audit}
 * section and the PostgreSQL sink of {@code audit.postgres}, shared by the stores and the
 * rotation engines, so one record of both), the stores and the {@link RotationService}.
 * {@link #close()} closes them in reverse order.
 *
 * <p>Where alerts come from: rotation failures and emergency rotations from the engines' events
 * ({@link Alerting#rotationListener()}, one path only: the service's {@code Failed} and
 * {@code Emergency} notices are not turned into alerts, so one failure is one alert); overdue
 * secrets and their end from the service's {@code Overdue} and {@code Rotated} notices; audit sink
 * failures and unusual access from the audit sink, wrapped once by {@link Alerting#watch}; Kubernetes
 * sync failures from {@link KubernetesSecretSync} (a policy's {@code sync:} block).
 *
 * <p>Thread-safe once opened, as its parts are.
 */
public final class DaemonRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonRuntime.class);
    /** How often alerting forgets old occurrences. */
    private static final java.time.Duration PRUNE_EVERY = java.time.Duration.ofMinutes(1);

    private final DaemonConfig config;
    private final @Nullable AuditSink audit;
    private final @Nullable AuditSink auditSink;
    private final @Nullable Alerting alerting;
    private final @Nullable ScheduledExecutorService pruning;
    private final Rotor rotor;
    private final RotationService service;
    private final MetricRegistry metrics;
    private final @Nullable KubernetesSecretSync kubernetesSync;

    private DaemonRuntime(DaemonConfig config, @Nullable AuditSink audit, @Nullable AuditSink auditSink, @Nullable Alerting alerting,
            @Nullable ScheduledExecutorService pruning, Rotor rotor, RotationService service, MetricRegistry metrics,
            @Nullable KubernetesSecretSync kubernetesSync) {
        this.kubernetesSync = kubernetesSync;
        this.config = config;
        this.audit = audit;
        this.auditSink = auditSink;
        this.alerting = alerting;
        this.pruning = pruning;
        this.rotor = rotor;
        this.service = service;
        this.metrics = metrics;
    }

    /**
     * Opens alerting, the audit sinks the configuration names (or {@code auditOverride}), the stores and the service.
     *
     * @param auditOverride a sink to use instead of the {@code audit} section (file, stdout and PostgreSQL); stays the caller's
     */
    public static DaemonRuntime open(DaemonConfig config, ProviderRegistry providers, RotatorRegistry rotators, Clock clock,
            Function<String, @Nullable String> environment, PrintStream auditStream, MetricRegistry metrics,
            @Nullable AuditSink auditOverride) {
        return open(config, providers, rotators, clock, environment, auditStream, metrics, auditOverride,
                () -> KubernetesClients.create(null, null));
    }

    /**
     * As {@link #open(DaemonConfig, ProviderRegistry, RotatorRegistry, Clock, Function, PrintStream, MetricRegistry, AuditSink)},
     * with the Kubernetes client the policies' {@code sync:} blocks write through (asked for only if a policy has one).
     */
    public static DaemonRuntime open(DaemonConfig config, ProviderRegistry providers, RotatorRegistry rotators, Clock clock,
            Function<String, @Nullable String> environment, PrintStream auditStream, MetricRegistry metrics,
            @Nullable AuditSink auditOverride, Supplier<KubernetesClient> kubernetes) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(kubernetes, "kubernetes");
        Alerting alerting = null;
        AuditSink opened = null;
        Rotor rotor = null;
        KubernetesSecretSync sync = null;
        try {
            if (config.alerts() != null) {
                alerting = config.alerts().toBuilder(environment, clock).policyRoutes(ref -> alertRoutes(config, ref)).build();
                alerting.registerMetrics(metrics);
            }
            AuditSink sink = auditOverride;
            if (sink == null && config.rotor().audit() != null) {
                opened = openAudit(config, clock, environment, auditStream, metrics);
                sink = opened;
            }
            if (sink != null && alerting != null) {
                // Wrapped once, around every sink together: each event is watched for unusual access once.
                sink = alerting.watch(sink);
            }
            Rotor.Builder rb = Rotor.builder(config.rotor(), providers).clock(clock).environment(environment).metrics(metrics)
                    .auditStream(auditStream);
            if (sink != null) {
                rb.auditSink(sink);
            }
            rotor = rb.build();
            RotationService service = RotationService.builder(config, rotor).rotators(rotators).clock(clock).environment(environment)
                    .auditSink(sink).metrics(new DaemonMetrics(metrics, clock)).build();
            ScheduledExecutorService pruning = null;
            if (alerting != null) {
                Alerting a = alerting;
                service.addListener(a.rotationListener());
                service.addNoticeListener(notice -> {
                    switch (notice) {
                        case PolicyNotice.Overdue o -> a.overdue(o.ref(), o.deadline());
                        case PolicyNotice.Rotated r -> a.onTime(r.ref());
                        // Raised from the engine's Failed and RETIRE events (rotationListener): not twice.
                        case PolicyNotice.Failed f -> { }
                        case PolicyNotice.Emergency e -> { }
                    }
                });
                pruning = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "rotor-alert-prune");
                    t.setDaemon(true);
                    return t;
                });
                pruning.scheduleWithFixedDelay(() -> {
                    try {
                        a.prune();
                    } catch (RuntimeException e) {
                        LOG.warn("pruning alert state failed: {}", e.getClass().getName());
                    }
                }, PRUNE_EVERY.toSeconds(), PRUNE_EVERY.toSeconds(), TimeUnit.SECONDS);
            }
            sync = openSync(config, rotor, alerting, clock, kubernetes, metrics);
            if (sync != null) {
                // After the alerting listener: a rotation's own alerts go first; the sync runs on its own thread.
                service.addListener(sync.listener());
            }
            return new DaemonRuntime(config, opened, sink, alerting, pruning, rotor, service, metrics, sync);
        } catch (RuntimeException e) {
            if (sync != null) {
                sync.close();
            }
            if (rotor != null) {
                rotor.close();
            }
            if (opened != null) {
                opened.close();
            }
            if (alerting != null) {
                alerting.close();
            }
            throw e;
        }
    }

    /** The Kubernetes sync of the policies with a {@code sync:} block, or null if none has one. */
    private static @Nullable KubernetesSecretSync openSync(DaemonConfig config, Rotor rotor, @Nullable Alerting alerting, Clock clock,
            Supplier<KubernetesClient> kubernetes, MetricRegistry metrics) {
        List<Policy> synced = config.policies().stream().filter(p -> p.sync() != null).toList();
        if (synced.isEmpty()) {
            return null;
        }
        KubernetesSecretSync.Builder b = KubernetesSecretSync.builder(kubernetes.get(), SecretSource.of(rotor::store)).alerting(alerting).clock(clock)
                .metrics(metrics);
        for (Policy p : synced) {
            b.target(((PolicyTarget.Single) p.target()).ref(), Objects.requireNonNull(p.sync()));
        }
        return b.build();
    }

    /** The alert routes of the policy covering {@code ref}: the one naming it, else the first selector whose store and prefix match. */
    private static List<String> alertRoutes(DaemonConfig config, SecretRef ref) {
        for (Policy p : config.policies()) {
            if (p.target() instanceof PolicyTarget.Single s && s.ref().equals(ref)) {
                return p.alerts();
            }
        }
        for (Policy p : config.policies()) {
            // Tags are not looked at: that would read the store on an alerting thread.
            if (p.target() instanceof PolicyTarget.Matching m && m.store().equals(ref.store()) && ref.path().startsWith(m.prefix())) {
                return p.alerts();
            }
        }
        return List.of();
    }

    private static AuditSink openAudit(DaemonConfig config, Clock clock, Function<String, @Nullable String> environment,
            PrintStream stream, MetricRegistry metrics) {
        AuditConfig audit = Objects.requireNonNull(config.rotor().audit());
        byte[] key = null;
        if (audit.checkpointKeyEnv() != null) {
            List<ConfigProblem> problems = new ArrayList<>();
            key = CheckpointKeys.fromEnvironment("audit.checkpointKeyEnv", audit.checkpointKeyEnv(), environment, problems);
            InvalidConfigurationException.throwIfAny(problems);
        }
        List<AuditSink> sinks = new ArrayList<>(3);
        try {
            if (audit.file() != null) {
                try {
                    Files.createDirectories(audit.file().getParent());
                } catch (IOException e) {
                    throw new AuditUnavailableException("cannot create the directory of audit log " + audit.file() + ": " + e, e);
                }
                JsonlAuditSink file = JsonlAuditSink.open(audit.file(), JsonlAuditSink.Options.defaults().withClock(clock).withCheckpointKey(key));
                sinks.add(file);
                file.registerQueueDepthGauge(metrics);
            }
            if (audit.stdout()) {
                sinks.add(new StdoutAuditSink(stream));
            }
            if (config.auditPostgres() != null) {
                PostgresAuditSink postgres = config.auditPostgres().open(environment, clock);
                sinks.add(postgres);
                postgres.registerQueueDepthGauge(metrics);
            }
            return sinks.size() == 1 ? sinks.get(0) : new Both(sinks);
        } catch (RuntimeException e) {
            for (AuditSink s : sinks) {
                try {
                    s.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    public DaemonConfig config() {
        return config;
    }

    public Rotor rotor() {
        return rotor;
    }

    public RotationService service() {
        return service;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    /** The Kubernetes Secret sync, when a policy has a {@code sync:} block. */
    public Optional<KubernetesSecretSync> kubernetesSync() {
        return Optional.ofNullable(kubernetesSync);
    }

    /** Alerting, when the configuration has an {@code alerts:} section. */
    public Optional<Alerting> alerting() {
        return Optional.ofNullable(alerting);
    }

    /** The sink every store and engine audits into (watched by alerting, if any), if there is one. */
    public Optional<AuditSink> auditSink() {
        return Optional.ofNullable(auditSink);
    }

    /** Closes the service, the Kubernetes sync (after its queued syncs), the stores, the audit sinks this runtime opened, then alerting (which sends what is queued). */
    @Override
    public void close() {
        if (pruning != null) {
            pruning.shutdownNow();
        }
        service.close();
        if (kubernetesSync != null) {
            // Lets queued syncs finish: they read from the stores closed next.
            kubernetesSync.close();
        }
        rotor.close();
        if (audit != null) {
            try {
                audit.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the audit sink failed: {}", e.getClass().getName());
            }
        }
        if (alerting != null) {
            alerting.close();
        }
    }

    /** The file sink and the stdout sink together; an append fails if either fails (fail closed). */
    private record Both(List<AuditSink> sinks) implements AuditSink {
        @Override
        public void append(AuditEvent event) {
            for (AuditSink s : sinks) {
                s.append(event);
            }
        }

        @Override
        public void appendAll(List<AuditEvent> events) {
            for (AuditSink s : sinks) {
                s.appendAll(events);
            }
        }

        @Override
        public String describe() {
            return String.join(" + ", sinks.stream().map(AuditSink::describe).toList());
        }

        @Override
        public void close() {
            for (AuditSink s : sinks) {
                s.close();
            }
        }
    }
}
