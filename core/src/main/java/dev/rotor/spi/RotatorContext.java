package dev.rotor.spi;

import dev.rotor.SecretStore;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a rotator provider may use besides the configuration: the clock, the environment (where
 * admin credentials are named, never written inline) and the configured stores by name (where a
 * rotator publishes, e.g. a JWKS).
 */
public record RotatorContext(Clock clock, Function<String, @Nullable String> environment,
        Function<String, @Nullable SecretStore> stores) {

    public RotatorContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(stores, "stores");
    }

    public @Nullable String env(String name) {
        return environment.apply(name);
    }

    /** The open store of that name, or null if none is configured. */
    public @Nullable SecretStore store(String name) {
        return stores.apply(name);
    }
}
