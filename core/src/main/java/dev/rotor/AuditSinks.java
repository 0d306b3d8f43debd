package dev.rotor;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.audit.StdoutAuditSink;
import dev.rotor.config.AuditConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Opens the sinks an {@code audit:} section describes. */
final class AuditSinks {

    private AuditSinks() {}

    /**
     * The file sink and/or the stream sink, and the {@code extra} sinks (not closed with the
     * result), as one sink; with {@code metrics}, the file sink's queue depth gauge is registered.
     *
     * @throws AuditUnavailableException if the audit file cannot be opened
     */
    static AuditSink open(AuditConfig audit, byte @Nullable [] checkpointKey, Clock clock, PrintStream stream,
            List<AuditSink> extra, @Nullable MetricRegistry metrics) {
        List<AuditSink> sinks = new ArrayList<>(2 + extra.size());
        Path file = audit.file();
        if (file != null) {
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new AuditUnavailableException("cannot create the directory of audit log " + file + ": " + e, e);
            }
            JsonlAuditSink fileSink = JsonlAuditSink.open(file, JsonlAuditSink.Options.defaults().withClock(clock)
                    .withCheckpointKey(checkpointKey).withRollover(audit.rollover()).withRetention(audit.retention()));
            sinks.add(fileSink);
            if (metrics != null) {
                metrics.remove(JsonlAuditSink.QUEUE_DEPTH_GAUGE);
                fileSink.registerQueueDepthGauge(metrics);
            }
        }
        if (audit.stdout()) {
            sinks.add(new StdoutAuditSink(stream));
        }
        for (AuditSink e : extra) {
            sinks.add(new Unclosed(e));
        }
        return sinks.size() == 1 ? sinks.get(0) : new Tee(sinks);
    }

    /** The caller's sinks as one, none of them closed with it. */
    static AuditSink tee(List<AuditSink> sinks) {
        List<AuditSink> wrapped = sinks.stream().<AuditSink>map(Unclosed::new).toList();
        return wrapped.size() == 1 ? wrapped.get(0) : new Tee(wrapped);
    }

    /** A sink that stays open when the one holding it closes. */
    private record Unclosed(AuditSink sink) implements AuditSink {
        @Override
        public void append(AuditEvent event) {
            sink.append(event);
        }

        @Override
        public void appendAll(List<AuditEvent> events) {
            sink.appendAll(events);
        }

        @Override
        public String describe() {
            return sink.describe();
        }

        @Override
        public void close() {
            // The caller's to close.
        }
    }

    /**
     * Appends every event to each of several sinks, in order. Fails closed: if any sink fails,
     * the append fails (events may already be in the sinks before it).
     *
     * <p>Thread-safe if the sinks are.
     */
    static final class Tee implements AuditSink {
        private final List<AuditSink> sinks;

        Tee(List<AuditSink> sinks) {
            this.sinks = List.copyOf(sinks);
        }

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
            return sinks.stream().map(AuditSink::describe).collect(Collectors.joining(" + "));
        }

        /** Closes every sink, even if one fails; the first failure is thrown with the others suppressed. */
        @Override
        public void close() {
            List<RuntimeException> failures = new ArrayList<>();
            for (AuditSink s : sinks) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            if (!failures.isEmpty()) {
                RuntimeException first = failures.get(0);
                failures.subList(1, failures.size()).forEach(first::addSuppressed);
                throw first;
            }
        }

        @Override
        public String toString() {
            return "audit sink " + describe();
        }
    }
}
