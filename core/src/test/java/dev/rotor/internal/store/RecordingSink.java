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
        signal();
    }

    @Override
    public void appendAll(List<AuditEvent> batch) {
        appendCalls.incrementAndGet();
        if (failing) {
            throw new IllegalStateException("disk full (test sink)");
        }
        events.addAll(batch);
        signal();
    }

    private synchronized void signal() {
        notifyAll();
    }

    /** Blocks until at least {@code n} events of {@code action} arrived or {@code timeout} passed. */
    public synchronized List<AuditEvent> await(AuditAction action, int n, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events(action).size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return events(action);
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
