package dev.rotor.watch;

import dev.rotor.Rotor;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Follows rotation: polls the version metadata of watched refs and tells listeners when the
 * version a ref points at changes.
 */
public final class SecretWatcher implements AutoCloseable {

    private SecretWatcher() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @param stores store name to store ({@code null} or an exception for an unknown name) */
    public static Builder builder(Function<String, SecretStore> stores) {
        return new Builder(Objects.requireNonNull(stores, "stores"));
    }

    public static Builder builder(Rotor rotor) {
        Objects.requireNonNull(rotor, "rotor");
        return builder(rotor::store);
    }

    /** Watches the version {@code ref}'s selector points at (default CURRENT). */
    public Subscription watch(SecretRef ref, SecretChangeListener listener) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Checks every watched ref once, now, on the calling thread. */
    public void checkNow() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static final class Builder {
        private final Function<String, SecretStore> stores;
        private Duration pollInterval = Duration.ofSeconds(30);
        private double jitter = 0.2;
        private Clock clock = Clock.systemUTC();
        private URI eventsUrl;
        private Supplier<String> bearerToken;

        private Builder(Function<String, SecretStore> stores) {
            this.stores = stores;
        }

        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /** Fraction of the poll interval each delay varies by, in [0, 1). */
        public Builder jitter(double fraction) {
            this.jitter = fraction;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Follows the daemon's {@code GET /v1/events} stream; polling continues regardless. */
        public Builder events(URI daemonEventsUrl, Supplier<String> bearerToken) {
            this.eventsUrl = daemonEventsUrl;
            this.bearerToken = bearerToken;
            return this;
        }

        public SecretWatcher build() {
            throw new UnsupportedOperationException("not implemented yet");
        }
    }
}
