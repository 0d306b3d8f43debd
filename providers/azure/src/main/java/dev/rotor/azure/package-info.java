/**
 * The {@code azure} store: Azure Key Vault secrets behind Rotor's {@link dev.rotor.SecretStore}
 * contract. {@link dev.rotor.azure.AzureStoreProvider} opens stores from configuration;
 * {@link dev.rotor.azure.AzureNames} maps secret paths to Azure secret names.
 */
@NullMarked
package dev.rotor.azure;

import org.jspecify.annotations.NullMarked;
