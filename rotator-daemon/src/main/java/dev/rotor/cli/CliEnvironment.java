package dev.rotor.cli;

import dev.rotor.daemon.RotatorRegistry;
import dev.rotor.spi.ProviderRegistry;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Everything the CLI touches outside itself, so that tests can run it in-process: the standard
 * streams, the environment, the working directory, the clock and the store providers.
 *
 * @param in where {@code put} reads a value from
 * @param out command output; {@code get --reveal} writes raw bytes here
 * @param err the one-line error messages (and stack traces with {@code --verbose})
 * @param environment environment variable lookup
 * @param workingDirectory what relative paths on the command line resolve against
 * @param rotators the rotator types policies may name
 */
public record CliEnvironment(
        InputStream in,
        PrintStream out,
        PrintStream err,
        Function<String, @Nullable String> environment,
        Path workingDirectory,
        Clock clock,
        ProviderRegistry providers,
        RotatorRegistry rotators) {

    public CliEnvironment {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(environment, "environment");
        workingDirectory = workingDirectory.toAbsolutePath().normalize();
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(providers, "providers");
        Objects.requireNonNull(rotators, "rotators");
    }

    /** With the built-in rotators. */
    public CliEnvironment(InputStream in, PrintStream out, PrintStream err, Function<String, @Nullable String> environment,
            Path workingDirectory, Clock clock, ProviderRegistry providers) {
        this(in, out, err, environment, workingDirectory, clock, providers, RotatorRegistry.builtIn());
    }

    /** The process's streams, environment and working directory, with the built-in providers. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.in, System.out, System.err, System::getenv, Path.of(""), Clock.systemUTC(),
                Providers.builtIn(), RotatorRegistry.builtIn());
    }

    public Path resolve(Path path) {
        return workingDirectory.resolve(path).normalize();
    }

    public @Nullable String env(String name) {
        return environment.apply(name);
    }
}
