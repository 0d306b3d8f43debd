package dev.rotor;

import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.config.AuditConfig;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Opens the sinks an {@code audit:} section describes. */
final class AuditSinks {

    static final int MIN_CHECKPOINT_KEY_BYTES = 16;

    private AuditSinks() {}

    static AuditSink open(AuditConfig audit, byte @Nullable [] checkpointKey, Clock clock, PrintStream stream) {
        throw new AuditUnavailableException("audit sinks from configuration are not available yet", null);
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
    }
}
