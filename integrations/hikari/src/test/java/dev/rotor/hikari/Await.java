package dev.rotor.hikari;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition that another thread makes true (HikariCP closes evicted connections on its
 * own executor; a database server answers in its own time), up to a deadline.
 */
final class Await {

    private Await() {}

    /** True as soon as {@code condition} holds; false if it still does not after {@code timeout}. */
    static boolean until(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return true;
    }
}
