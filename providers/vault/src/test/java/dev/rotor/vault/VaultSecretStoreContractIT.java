package dev.rotor.vault;

import dev.rotor.SecretStore;
import dev.rotor.testkit.SecretStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Vault store against the shared contract: against the fake Vault server, or a real Vault or
 * OpenBao when {@code VAULT_ADDR} and {@code VAULT_TOKEN} are set ({@link VaultFixture}).
 */
class VaultSecretStoreContractIT extends SecretStoreContract {

    private static VaultFixture vault;
    private static VaultSecretStore store;

    @BeforeAll
    static void open() {
        vault = VaultFixture.create(Clock.systemUTC());
        store = vault.open("vault", Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        store.close();
        vault.close();
    }

    @Override
    protected SecretStore store() {
        return store;
    }
}
