package dev.rotor.alert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A sink that keeps what it is sent, and can be told to refuse the next tries. */
final class RecordingSink implements AlertSink {

    private final String name;
    private final List<Alert> sent = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger tries = new AtomicInteger();
    private volatile boolean retryable = true;

    RecordingSink(String name) {
        this.name = name;
    }

    /** The next {@code n} tries fail, retryable or not. */
    void failNext(int n, boolean retryable) {
        this.retryable = retryable;
        failNext.set(n);
    }

    List<Alert> sent() {
        return List.copyOf(sent);
    }

    int tries() {
        return tries.get();
    }

    @Override
    public void send(Alert alert) {
        tries.incrementAndGet();
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new AlertDeliveryException(name + ": HTTP " + (retryable ? 503 : 400), retryable, null);
        }
        sent.add(alert);
    }

    @Override
    public String describe() {
        return "recording:" + name;
    }
}
