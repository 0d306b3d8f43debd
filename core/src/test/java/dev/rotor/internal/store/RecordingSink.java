package dev.rotor.internal.store;

import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps what is appended; can be told to fail. Thread-safe. */
public final class RecordingSink implements AuditSink {

    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger appendCalls = new AtomicInteger();
    private volatile boolean failing;
    private volatile boolean closed;

    @Override
    public void append(AuditEvent event) {
        appendCalls.incrementAndGet();
        if (failing) {
            throw new IllegalStateException("disk full (test sink)");
        }
        events.add(event);
    }

    @Override
    public void appendAll(List<AuditEvent> batch) {
        appendCalls.incrementAndGet();
        if (failing) {
            throw new IllegalStateException("disk full (test sink)");
        }
        events.addAll(batch);
    }

    public void failing(boolean fail) {
        this.failing = fail;
    }

    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public List<AuditEvent> events(AuditAction action) {
        return events.stream().filter(e -> e.action() == action).toList();
    }

    public int appendCalls() {
        return appendCalls.get();
    }

    public void clear() {
        events.clear();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String describe() {
        return "test:recording";
    }

    @Override
    public void close() {
        closed = true;
    }
}
