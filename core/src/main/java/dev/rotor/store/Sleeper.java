package dev.rotor.store;

import java.time.Duration;

/** Waits between retry attempts. Injected so that tests record waits instead of waiting. */
@FunctionalInterface
public interface Sleeper {

    /** Waits for {@code duration}; may return early only by throwing {@link InterruptedException}. */
    void sleep(Duration duration) throws InterruptedException;

    /** The real one: {@link Thread#sleep(Duration)}. */
    static Sleeper system() {
        return Thread::sleep;
    }
}
