package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several store instances (as several processes would) writing the same secret at once: every put
 * lands under its own id, and afterwards Rotor's CURRENT is what a plain reader gets.
 */
class VaultConcurrencyIT {

    private static final int WRITERS = 6;
    private static final int PUTS_EACH = 5;

    private static VaultFixture vault;
    private static final List<VaultSecretStore> stores = new ArrayList<>();

    @BeforeAll
    static void open() {
        vault = VaultFixture.create(Clock.systemUTC());
        for (int i = 0; i < WRITERS; i++) {
            stores.add(vault.open("race", Clock.systemUTC()));
        }
    }

    @AfterAll
    static void close() {
        stores.forEach(VaultSecretStore::close);
        vault.close();
    }

    @Test
    void concurrentPutsFromSeveralStoresAllLandAndCurrentMatchesThePlainReader() throws Exception {
        String p = "race/" + System.nanoTime() + "/db";
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CyclicBarrier start = new CyclicBarrier(WRITERS);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                VaultSecretStore store = stores.get(w);
                int writer = w;
                results.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < PUTS_EACH; i++) {
                        PutOptions options = i % 2 == 0 ? PutOptions.current() : PutOptions.pending();
                        ids.add(store.put(p, SecretValue.ofUtf8("writer " + writer + " put " + i), options).id());
                    }
                    return ids;
                }));
            }
            Set<String> ids = new HashSet<>();
            for (Future<List<String>> f : results) {
                ids.addAll(f.get(60, TimeUnit.SECONDS));
            }

            assertThat(ids).hasSize(WRITERS * PUTS_EACH);
            VaultSecretStore reader = stores.get(0);
            var current = reader.get(p);
            var driver = io.github.jopenlibs.vault.Vault.create(new io.github.jopenlibs.vault.VaultConfig()
                    .address(vault.address()).token(vault.token()).engineVersion(2).build(), 2);
            assertThat(driver.logical().read(vault.mount() + "/" + reader.livePath(p)).getData().get("value"))
                    .isEqualTo(current.value().asUtf8());
            assertThat(ids).contains(current.version().id());
            List<VersionInfo> versions = reader.versions(p);
            assertThat(versions).filteredOn(v -> v.has(Stage.CURRENT)).singleElement()
                    .satisfies(v -> assertThat(v.id()).isEqualTo(current.version().id()));
            assertThat(versions).filteredOn(v -> v.has(Stage.PENDING)).hasSizeLessThanOrEqualTo(1);
            reader.delete(p);
        } finally {
            pool.shutdownNow();
        }
    }
}
