package dev.rotor.internal.store;

import dev.rotor.Secret;
import dev.rotor.Selector;

/**
 * Told by the cache layer about reads it answers itself. Cache hits never reach the layers
 * below the cache, so the audit layer (summaries) and the metrics layer (counters) learn of
 * them here.
 *
 * <p>{@link #onHit} runs on the reader's thread on every hit and must not allocate, block or
 * do I/O unless the configuration asks for it (per-hit audit). It may throw to refuse the read
 * (per-hit audit failing closed). The other methods run on the miss path.
 */
public interface CacheHitListener {

    /**
     * A read answered from the cache without its own backend call: a fresh hit, a share of
     * another caller's load, or (with {@code stale} set) an expired last-good value served
     * because the backend failed.
     *
     * @param nowMillis the cache's clock at the read ({@code Clock.millis()}), so that a hit reads
     *     the clock once however many listeners it has
     */
    void onHit(String path, Selector selector, Secret secret, boolean stale, long nowMillis);

    /** The cache started a backend load. */
    default void onMiss() {}

    /** A backend load the cache started failed. */
    default void onLoadFailure() {}
}
