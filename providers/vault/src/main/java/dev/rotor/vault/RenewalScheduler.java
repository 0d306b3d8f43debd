package dev.rotor.vault;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs token maintenance later. Injected so that tests decide when "later" is. */
interface RenewalScheduler extends AutoCloseable {

    /** A scheduled task that can be called off. */
    interface Task {
        void cancel();
    }

    Task schedule(Runnable task, Duration delay);

    @Override
    void close();

    /** One daemon thread per store, doing nothing but token maintenance. */
    static RenewalScheduler daemon(String storeName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "rotor-vault-token-" + storeName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new RenewalScheduler() {
            @Override
            public Task schedule(Runnable task, Duration delay) {
                ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
