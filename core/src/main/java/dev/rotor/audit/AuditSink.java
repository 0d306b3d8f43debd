package dev.rotor.audit;

import java.util.List;

/**
 * Where audit events go. {@link #append} returns once the event is as durable as the sink
 * promises (for the file sink: fsynced), so a caller that goes on after it may rely on the
 * record existing.
 *
 * <p>Implementations are thread-safe; concurrent appenders may share one durable write.
 */
public interface AuditSink extends AutoCloseable {

    /** @throws dev.rotor.AuditUnavailableException if the event could not be recorded */
    void append(AuditEvent event);

    /** Appends several events as one durable write where the sink can. */
    default void appendAll(List<AuditEvent> events) {
        for (AuditEvent e : events) {
            append(e);
        }
    }

    /** A short name for logs and health, e.g. {@code file:/var/lib/rotor/audit.jsonl}. */
    String describe();

    @Override
    void close();
}
