package dev.rotor.api;

import dev.rotor.AuditUnavailableException;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps audit events in memory; can be told to fail. */
final class RecordingAuditSink implements AuditSink {

    final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    volatile boolean broken;

    @Override
    public void append(AuditEvent event) {
        if (broken) {
            throw new AuditUnavailableException("test sink is broken", null);
        }
        events.add(event);
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {}
}
