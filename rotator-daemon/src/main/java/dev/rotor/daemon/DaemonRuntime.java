package dev.rotor.daemon;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.audit.StdoutAuditSink;
import dev.rotor.config.AuditConfig;
import dev.rotor.config.CheckpointKeys;
import dev.rotor.spi.ProviderRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a daemon or a rotation command opens from one configuration: the audit sink (shared
 * by the stores and the rotation engines, so one hash chain records both), the stores and the
 * {@link RotationService}. {@link #close()} closes them in reverse order.
 *
 * <p>Thread-safe once opened, as its parts are.
 */
public final class DaemonRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonRuntime.class);

    private final DaemonConfig config;
    private final @Nullable AuditSink audit;
    private final Rotor rotor;
    private final RotationService service;
    private final MetricRegistry metrics;

    private DaemonRuntime(DaemonConfig config, @Nullable AuditSink audit, Rotor rotor, RotationService service, MetricRegistry metrics) {
        this.config = config;
        this.audit = audit;
        this.rotor = rotor;
        this.service = service;
        this.metrics = metrics;
    }

    /**
     * Opens the audit sink the configuration names (or {@code auditOverride}), the stores and the service.
     *
     * @param auditOverride a sink to use instead of the {@code audit} section (for example a PostgreSQL sink); stays the caller's
     */
    public static DaemonRuntime open(DaemonConfig config, ProviderRegistry providers, RotatorRegistry rotators, Clock clock,
            Function<String, @Nullable String> environment, PrintStream auditStream, MetricRegistry metrics,
            @Nullable AuditSink auditOverride) {
        Objects.requireNonNull(config, "config");
        AuditSink opened = null;
        AuditSink sink = auditOverride;
        if (sink == null && config.rotor().audit() != null) {
            opened = openAudit(config.rotor().audit(), clock, environment, auditStream);
            sink = opened;
        }
        Rotor rotor = null;
        try {
            Rotor.Builder rb = Rotor.builder(config.rotor(), providers).clock(clock).environment(environment).metrics(metrics)
                    .auditStream(auditStream);
            if (sink != null) {
                rb.auditSink(sink);
            }
            rotor = rb.build();
            RotationService service = RotationService.builder(config, rotor).rotators(rotators).clock(clock).environment(environment)
                    .auditSink(sink).metrics(new DaemonMetrics(metrics, clock)).build();
            return new DaemonRuntime(config, opened, rotor, service, metrics);
        } catch (RuntimeException e) {
            if (rotor != null) {
                rotor.close();
            }
            if (opened != null) {
                opened.close();
            }
            throw e;
        }
    }

    private static AuditSink openAudit(AuditConfig audit, Clock clock, Function<String, @Nullable String> environment, PrintStream stream) {
        byte[] key = null;
        if (audit.checkpointKeyEnv() != null) {
            List<ConfigProblem> problems = new ArrayList<>();
            key = CheckpointKeys.fromEnvironment("audit.checkpointKeyEnv", audit.checkpointKeyEnv(), environment, problems);
            InvalidConfigurationException.throwIfAny(problems);
        }
        try {
            List<AuditSink> sinks = new ArrayList<>(2);
            if (audit.file() != null) {
                try {
                    Files.createDirectories(audit.file().getParent());
                } catch (IOException e) {
                    throw new AuditUnavailableException("cannot create the directory of audit log " + audit.file() + ": " + e, e);
                }
                sinks.add(JsonlAuditSink.open(audit.file(), JsonlAuditSink.Options.defaults().withClock(clock).withCheckpointKey(key)));
            }
            if (audit.stdout()) {
                sinks.add(new StdoutAuditSink(stream));
            }
            return sinks.size() == 1 ? sinks.get(0) : new Both(sinks);
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

    @Override
    public void close() {
        service.close();
        rotor.close();
        if (audit != null) {
            try {
                audit.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the audit sink failed: {}", e.getClass().getName());
            }
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
