package dev.rotor.cli;

import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.spi.ProviderRegistry;

/** The store providers the {@code rotor} command knows. */
final class Providers {

    private Providers() {}

    static ProviderRegistry builtIn() {
        return ProviderRegistry.builder()
                .register(new InMemoryStoreProvider())
                .build();
    }
}
