package dev.rotor.daemon;

import dev.rotor.ConfigProblem;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotator.keycloak.KeycloakRotatorProvider;
import dev.rotor.rotator.mariadb.MariaDbRotatorProvider;
import dev.rotor.rotator.postgres.PostgresRotatorProvider;
import dev.rotor.rotator.random.RandomSecretRotatorProvider;
import dev.rotor.rotator.signing.SigningKeyRotatorProvider;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.spi.RotatorProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The rotator providers a daemon knows, by type. Providers are registered explicitly (no
 * classpath scanning); two providers for one type are an error. Immutable and thread-safe.
 */
public final class RotatorRegistry {

    private final Map<String, RotatorProvider> providers;

    private RotatorRegistry(Map<String, RotatorProvider> providers) {
        this.providers = Map.copyOf(providers);
    }

    /** The rotators of Rotor's own modules: postgres-password, mariadb-password, keycloak-client-secret, signing-keys, random-secret. */
    public static RotatorRegistry builtIn() {
        return builder()
                .register(new DatabaseAdapter<>(new PostgresRotatorProvider().type(),
                        (prefix, settings) -> new PostgresRotatorProvider().validate(prefix, settings),
                        (config, context) -> new PostgresRotatorProvider().open("rotators." + config.name(), config.settings(),
                                context::env, context::store)))
                .register(new DatabaseAdapter<>(new MariaDbRotatorProvider().type(),
                        (prefix, settings) -> new MariaDbRotatorProvider().validate(prefix, settings),
                        (config, context) -> new MariaDbRotatorProvider().open("rotators." + config.name(), config.settings(),
                                context::env, context::store)))
                .register(new KeycloakRotatorProvider())
                .register(new SigningKeyRotatorProvider())
                .register(new RandomSecretRotatorProvider())
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<RotatorProvider> find(String type) {
        return Optional.ofNullable(providers.get(type));
    }

    public Set<String> types() {
        return new java.util.TreeSet<>(providers.keySet());
    }

    /** Collects providers; {@link #build()} fails on a duplicate type. Not thread-safe. */
    public static final class Builder {
        private final Map<String, RotatorProvider> providers = new LinkedHashMap<>();

        public Builder register(RotatorProvider provider) {
            Objects.requireNonNull(provider, "provider");
            if (providers.putIfAbsent(provider.type(), provider) != null) {
                throw new IllegalArgumentException("two rotator providers for type '" + provider.type() + "'");
            }
            return this;
        }

        public RotatorRegistry build() {
            return new RotatorRegistry(providers);
        }
    }

    /**
     * The PostgreSQL and MariaDB providers take a settings map and a field prefix rather than a
     * {@link RotatorConfig}; this presents them through the common SPI.
     */
    private record DatabaseAdapter<R extends Rotator>(String type, Validator validator, Opener<R> opener) implements RotatorProvider {

        interface Validator {
            List<ConfigProblem> validate(String prefix, Map<String, ?> settings);
        }

        interface Opener<R> {
            R open(RotatorConfig config, RotatorContext context);
        }

        @Override
        public List<ConfigProblem> validate(RotatorConfig config, RotatorContext context) {
            return validator.validate("rotators." + config.name(), config.settings());
        }

        @Override
        public Rotator open(RotatorConfig config, RotatorContext context) {
            return opener.open(config, context);
        }
    }
}
