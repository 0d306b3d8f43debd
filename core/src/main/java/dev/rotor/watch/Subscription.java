package dev.rotor.watch;

/** One listener on one ref; {@link #close} stops it. Idempotent. */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
