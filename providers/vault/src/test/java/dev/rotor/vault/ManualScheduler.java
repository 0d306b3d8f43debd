package dev.rotor.vault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link RenewalScheduler} that only records: the test runs the pending task when it decides time has come. */
final class ManualScheduler implements RenewalScheduler {

    private record Scheduled(Runnable task, Duration delay, boolean[] cancelled) {}

    private final List<Scheduled> scheduled = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized Task schedule(Runnable task, Duration delay) {
        boolean[] cancelled = {false};
        scheduled.add(new Scheduled(task, delay, cancelled));
        return () -> {
            synchronized (ManualScheduler.this) {
                cancelled[0] = true;
            }
        };
    }

    /** The delay of the one task still pending. */
    synchronized Duration pendingDelay() {
        return pending().delay();
    }

    synchronized boolean hasPending() {
        return scheduled.stream().anyMatch(s -> !s.cancelled()[0]);
    }

    /** Runs the task still pending (as the scheduler thread would once its delay passed). */
    void runPending() {
        Scheduled s;
        synchronized (this) {
            s = pending();
            s.cancelled()[0] = true;
        }
        s.task().run();
    }

    private Scheduled pending() {
        List<Scheduled> live = scheduled.stream().filter(s -> !s.cancelled()[0]).toList();
        if (live.size() != 1) {
            throw new IllegalStateException(live.size() + " tasks pending, expected 1");
        }
        return live.get(0);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
