package dev.rotor.examples;

import dev.rotor.Rotor;
import dev.rotor.config.RotorConfig;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.resolve.Resolution;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.SecretResolver;
import dev.rotor.spi.ProviderRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * An application resolving the {@code secret://} references in its configuration at startup.
 *
 * <p>Usage: {@code StartupResolution <rotor.yaml> <app.properties>}. Every property whose value is
 * a secret ref ({@code secret://...}, {@code optional:secret://...}, {@code secret://...|default:TEXT})
 * is resolved in one pass with {@link SecretResolver}; the program then prints which properties
 * were resolved and where each value came from, never the values themselves. If any ref cannot
 * be resolved it prints the one error naming every failure and exits with status 1.
 */
public final class StartupResolution {

    private StartupResolution() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: StartupResolution <rotor.yaml> <app.properties>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            props.load(in);
        }
        Resolution<Properties> config;
        try {
            config = resolve(Path.of(args[0]), props, System.out);
        } catch (SecretResolutionException e) {
            System.err.println("cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        try {
            // A real application would now hand the values to its connection pool and HTTP
            // clients, e.g. config.chars("db.password") for a DataSource.
            Properties resolved = config.resolved();
            System.out.println(resolved.size() + " properties ready");
        } finally {
            config.destroy();
        }
    }

    /**
     * Resolves every property holding a secret ref in one pass and reports on {@code out} what
     * it did, without values. The caller owns the result and should {@link Resolution#destroy()} it.
     *
     * @throws SecretResolutionException naming every ref that could not be resolved
     */
    public static Resolution<Properties> resolve(Path rotorYaml, Properties props, PrintStream out) {
        ProviderRegistry providers = ProviderRegistry.builder().register(new LocalStoreProvider()).build();
        try (Rotor rotor = Rotor.open(RotorConfig.load(rotorYaml), providers)) {
            Resolution<Properties> resolution = SecretResolver.of(rotor).resolve(props);
            for (String location : resolution.locations()) {
                out.printf("%s <- %s (%s)%n", location, resolution.ref(location).orElseThrow(),
                        resolution.source(location).orElseThrow());
            }
            return resolution;
        }
    }
}
