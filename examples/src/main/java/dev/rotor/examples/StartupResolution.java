package dev.rotor.examples;

import dev.rotor.Rotor;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.config.RotorConfig;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * An application resolving the {@code secret://} references in its configuration at startup.
 *
 * <p>Usage: {@code StartupResolution <rotor.yaml> <app.properties>}. Every property whose value is
 * a secret ref is replaced by the secret; the program then prints which properties were resolved
 * and from which version, never the values themselves.
 */
public final class StartupResolution {

    private StartupResolution() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: StartupResolution <rotor.yaml> <app.properties>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (var in = java.nio.file.Files.newInputStream(Path.of(args[1]))) {
            props.load(in);
        }
        Map<String, SecretValue> resolved = resolve(Path.of(args[0]), props, System.out);
        // A real application would now hand the values to its connection pool and HTTP clients.
        resolved.values().forEach(SecretValue::destroy);
    }

    /** Resolves every property holding a secret ref; reports what it did on {@code out}, without values. */
    public static Map<String, SecretValue> resolve(Path rotorYaml, Properties props, PrintStream out) {
        ProviderRegistry providers = ProviderRegistry.builder().register(new LocalStoreProvider()).build();
        Map<String, SecretValue> resolved = new LinkedHashMap<>();
        try (Rotor rotor = Rotor.open(RotorConfig.load(rotorYaml), providers)) {
            for (String name : new java.util.TreeSet<>(props.stringPropertyNames())) {
                String text = props.getProperty(name);
                if (!SecretRef.looksLikeRef(text)) {
                    continue;
                }
                SecretRef ref = SecretRef.parse(text);
                Secret secret = rotor.get(ref);
                resolved.put(name, secret.value());
                out.printf("%s <- %s (version %s)%n", name, ref, secret.version().id());
            }
        }
        return resolved;
    }
}
