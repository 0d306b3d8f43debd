package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What each operation costs in Vault requests, counted by the fake (the numbers docs/providers.md gives). */
class VaultCallCountIT {

    private FakeVaultServer fake;
    private VaultSecretStore store;

    @BeforeEach
    void open() {
        fake = FakeVaultServer.start(Clock.systemUTC());
        store = new VaultStoreProvider().open(new StoreConfig("count", "vault", Map.of("address", fake.address())),
                new StoreContext(Clock.systemUTC(), Map.of("VAULT_TOKEN", fake.rootToken())::get, Path.of("")), new ManualScheduler());
    }

    @AfterEach
    void close() {
        store.close();
        fake.close();
    }

    private <T> int requests(Supplier<T> op) {
        int before = fake.totalRequests();
        op.get();
        return fake.totalRequests() - before;
    }

    @Test
    void readsCostTwoRequestsAndWritesAHandful() {
        Map<String, Integer> cost = new java.util.LinkedHashMap<>();
        SecretValue fields = SecretValue.ofFields(Map.of("username", "app", "password", "one"));
        cost.put("first put as CURRENT", requests(() -> store.put("app/db", fields, PutOptions.current())));
        VersionInfo v1 = store.get("app/db").version();
        cost.put("put as CURRENT", requests(() -> store.put("app/db", fields, PutOptions.current())));
        VersionInfo v2 = store.get("app/db").version();
        cost.put("put as PENDING", requests(() -> store.put("app/db", SecretValue.ofUtf8("two"), PutOptions.pending())));
        cost.put("get CURRENT", requests(() -> store.get("app/db")));
        cost.put("get PENDING", requests(() -> store.get("app/db", Selector.PENDING)));
        String pending = store.get("app/db", Selector.PENDING).version().id();
        cost.put("promote", requests(() -> store.promote("app/db", pending, v2.id())));
        cost.put("versions", requests(() -> store.versions("app/db")));
        cost.put("moveStage", requests(() -> {
            store.moveStage("app/db", dev.rotor.Stage.PREVIOUS, v1.id(), null);
            return null;
        }));

        assertThat(cost).containsExactly(
                Map.entry("first put as CURRENT", 9),
                Map.entry("put as CURRENT", 8),
                Map.entry("put as PENDING", 4),
                Map.entry("get CURRENT", 2),
                Map.entry("get PENDING", 3),
                Map.entry("promote", 8),
                Map.entry("versions", 2),
                Map.entry("moveStage", 3));
    }
}
