package dev.rotor.azure;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks that serialize the writers of one Azure secret inside this JVM. Azure Key Vault
 * has no compare-and-set, so two movers in one process are made to take turns here; movers in
 * other processes are detected after the fact (see {@code docs/providers.md}).
 *
 * <p>One instance is shared by every store in the JVM, so two stores opened on the same vault
 * still exclude each other. Thread-safe.
 */
final class MoveLocks {

    static final MoveLocks SHARED = new MoveLocks(1024);

    private final ReentrantLock[] stripes;

    MoveLocks(int count) {
        stripes = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** The lock for one secret of one vault; hold it in a try/finally. */
    ReentrantLock of(String vault, String azureName) {
        int h = (vault + '/' + azureName).hashCode();
        return stripes[Math.floorMod(h ^ (h >>> 16), stripes.length)];
    }
}
