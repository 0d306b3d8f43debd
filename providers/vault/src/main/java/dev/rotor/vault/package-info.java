/**
 * The {@code vault} store: HashiCorp Vault or OpenBao, KV version 2, through vault-java-driver.
 * {@link dev.rotor.vault.VaultStoreProvider} validates settings ({@link dev.rotor.vault.VaultStoreSettings})
 * and opens a {@link dev.rotor.vault.VaultSecretStore}. How versions, stages, tags and metadata map
 * onto KV v2, and the crash behaviour of each write, are described in {@code docs/providers.md}.
 */
@NullMarked
package dev.rotor.vault;

import org.jspecify.annotations.NullMarked;
