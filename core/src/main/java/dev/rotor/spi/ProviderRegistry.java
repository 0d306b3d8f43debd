package dev.rotor.spi;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable set of providers, keyed by type. Built explicitly: there is no classpath
 * scanning and no global registry, so what a program can open is what its code registered.
 */
public final class ProviderRegistry {

    private final Map<String, SecretStoreProvider> providers;

    private ProviderRegistry(Map<String, SecretStoreProvider> providers) {
        this.providers = Map.copyOf(providers);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<SecretStoreProvider> find(String type) {
        return Optional.ofNullable(providers.get(type));
    }

    public Set<String> types() {
        return new java.util.TreeSet<>(providers.keySet());
    }

    /** Validates and opens a store; an unknown type names the field and the known types. */
    public SecretStore open(StoreConfig config, StoreContext context) {
        SecretStoreProvider provider = find(config.type()).orElseThrow(() -> new InvalidConfigurationException(
                config.fieldPath("type"), "unknown store type '" + config.type() + "' (known: " + String.join(", ", types()) + ")"));
        InvalidConfigurationException.throwIfAny(provider.validate(config, context));
        return provider.open(config, context);
    }

    public static final class Builder {
        private final Map<String, SecretStoreProvider> providers = new LinkedHashMap<>();

        /** @throws IllegalArgumentException if a provider of the same type is already registered */
        public Builder register(SecretStoreProvider provider) {
            SecretStoreProvider previous = providers.putIfAbsent(provider.type(), provider);
            if (previous != null) {
                throw new IllegalArgumentException("a store provider of type '" + provider.type() + "' is already registered ("
                        + previous.getClass().getName() + ")");
            }
            return this;
        }

        public ProviderRegistry build() {
            return new ProviderRegistry(providers);
        }
    }
}
