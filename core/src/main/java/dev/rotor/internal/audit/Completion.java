package dev.rotor.internal.audit;

import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * One caller's append waiting for a group-committing writer: the writer calls
 * {@link #finish} once the batch holding it is durable (or failed), the caller {@link #await}s.
 * Audit sinks subclass it to carry what they append.
 *
 * <p>Thread-safe: one writer thread finishes, one caller thread waits.
 */
public class Completion {

    private final CountDownLatch done = new CountDownLatch(1);
    // Written by the writer before countDown(), read by the caller after await(): the latch orders them.
    private @Nullable Throwable failure;

    /** Releases the caller; {@code failed} is null when the append is durable. */
    public final void finish(@Nullable Throwable failed) {
        this.failure = failed;
        done.countDown();
    }

    /**
     * Waits without giving up on interrupt, so the caller always learns whether its events were
     * recorded; the interrupt status is restored.
     *
     * @return null if recorded, else why not
     */
    public final @Nullable Throwable await() {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }
}
