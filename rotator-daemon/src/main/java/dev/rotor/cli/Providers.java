package dev.rotor.cli;

import dev.rotor.aws.AwsStoreProvider;
import dev.rotor.azure.AzureStoreProvider;
import dev.rotor.kubernetes.KubernetesStoreProvider;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.vault.VaultStoreProvider;

/**
 * The store providers the {@code rotor} command knows. The in-memory store is left out on
 * purpose: its secrets would vanish when the command ends.
 */
final class Providers {

    private Providers() {}

    static ProviderRegistry builtIn() {
        return ProviderRegistry.builder()
                .register(new LocalStoreProvider())
                .register(new AwsStoreProvider())
                .register(new VaultStoreProvider())
                .register(new AzureStoreProvider())
                .register(new KubernetesStoreProvider())
                .build();
    }
}
