package dev.rotor.alert.internal;

import dev.rotor.alert.Alert;
import dev.rotor.alert.AlertDeliveryException;
import dev.rotor.alert.AlertSink;
import dev.rotor.alert.DeliveryOptions;
import dev.rotor.alert.DeliveryStats;
import dev.rotor.store.Sleeper;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one sink's alerts on its own thread, in the order they were offered, so that a slow
 * or failing sink delays no other sink and never the thread that raised the alert.
 *
 * <p>Thread-safe: {@link #offer} never blocks; the worker thread is the only caller of the sink.
 */
public final class SinkWorker {

    private static final Logger LOG = LoggerFactory.getLogger(SinkWorker.class);

    private final AlertSink sink;
    private final DeliveryOptions options;
    private final Sleeper sleeper;
    private final BlockingQueue<Alert> queue;
    private final Thread thread;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object idle = new Object();
    private volatile boolean closing;

    public SinkWorker(AlertSink sink, DeliveryOptions options, Sleeper sleeper, String threadName) {
        this.sink = sink;
        this.options = options;
        this.sleeper = sleeper;
        this.queue = new ArrayBlockingQueue<>(options.queueSize());
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
        thread.start();
    }

    public AlertSink sink() {
        return sink;
    }

    /** Queues the alert; false (and counted) if the queue is full or the worker closing. */
    public boolean offer(Alert alert) {
        if (closing) {
            dropped.incrementAndGet();
            return false;
        }
        inFlight.incrementAndGet();
        if (!queue.offer(alert)) {
            finished();
            dropped.incrementAndGet();
            LOG.warn("alert {} dropped for {}: its queue of {} is full", alert.key(), sink.describe(), options.queueSize());
            return false;
        }
        return true;
    }

    public DeliveryStats stats() {
        return new DeliveryStats(sink.describe(), delivered.get(), retried.get(), failed.get(), dropped.get(), inFlight.get());
    }

    /** Waits until nothing is queued or being sent; false if {@code timeout} passed first. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }

    /** Stops taking alerts, lets the queue drain for up to {@code grace}, then stops the thread and closes the sink. */
    public void close(Duration grace) {
        closing = true;
        try {
            thread.join(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.warn("{}: {} alert(s) not delivered at shutdown", sink.describe(), queue.size());
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.warn("{}: close failed: {}", sink.describe(), e.getClass().getName());
        }
    }

    private void run() {
        while (true) {
            Alert alert;
            try {
                alert = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (alert == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            try {
                deliver(alert);
            } catch (InterruptedException e) {
                return;
            } finally {
                finished();
            }
        }
    }

    private void deliver(Alert alert) throws InterruptedException {
        Duration backoff = options.initialBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                sink.send(alert);
                delivered.incrementAndGet();
                LOG.debug("alert {} delivered to {}", alert.key(), sink.describe());
                return;
            } catch (RuntimeException e) {
                String why = e instanceof AlertDeliveryException ? e.getMessage() : e.getClass().getName();
                boolean retryable = !(e instanceof AlertDeliveryException d) || d.isRetryable();
                if (!retryable || attempt >= options.maxAttempts()) {
                    failed.incrementAndGet();
                    LOG.error("alert {} ({}) not delivered to {} after {} tr{}: {}", alert.key(), alert.kind(), sink.describe(), attempt,
                            attempt == 1 ? "y" : "ies", why);
                    return;
                }
                retried.incrementAndGet();
                LOG.warn("alert {} to {} failed (try {} of {}), retrying in {}: {}", alert.key(), sink.describe(), attempt,
                        options.maxAttempts(), backoff, why);
                sleeper.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : backoff.multipliedBy(2);
            }
        }
    }

    private void finished() {
        inFlight.decrementAndGet();
        synchronized (idle) {
            idle.notifyAll();
        }
    }
}
