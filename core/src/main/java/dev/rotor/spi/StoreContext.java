package dev.rotor.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a provider may use besides its configuration: the clock, the environment (injected so
 * tests need not touch the process environment) and the directory relative paths resolve
 * against.
 */
public record StoreContext(Clock clock, Function<String, @Nullable String> environment, Path baseDirectory) {

    public StoreContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
    }

    /** The system clock, the process environment and the working directory. */
    public static StoreContext system() {
        return new StoreContext(Clock.systemUTC(), System::getenv, Path.of("").toAbsolutePath());
    }

    public @Nullable String env(String name) {
        return environment.apply(name);
    }

    public Path resolve(String path) {
        return baseDirectory.resolve(path).normalize();
    }
}
