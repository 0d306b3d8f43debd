package dev.rotor.rotation;

import dev.rotor.AuditUnavailableException;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event; can be told to fail. */
final class RecordingSink implements AuditSink {

    final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    volatile boolean failing;

    @Override
    public void append(AuditEvent event) {
        if (failing) {
            throw new AuditUnavailableException("test sink is failing", null);
        }
        events.add(event);
    }

    List<AuditAction> actions() {
        return events.stream().map(AuditEvent::action).toList();
    }

    @Override
    public String describe() {
        return "recording";
    }

    @Override
    public void close() {}
}
