package dev.rotor.testkit;

import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An audit sink that keeps every event in memory, for tests to inspect. Thread-safe. */
public final class RecordingAuditSink implements AuditSink {

    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void append(AuditEvent event) {
        events.add(event);
    }

    /** Every event appended so far, in order; a live view that later events join. */
    public List<AuditEvent> events() {
        return Collections.unmodifiableList(events);
    }

    @Override
    public String describe() {
        return "recording";
    }

    @Override
    public void close() {}
}
