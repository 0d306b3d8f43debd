package dev.rotor.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.ConflictException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.store.CacheOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeteredSecretStoreTest {

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final MetricRegistry registry = new MetricRegistry();

    @Test
    void eachOperationHasATimerAndAnErrorCounterNamedByStoreAndOperation() {
        MeteredSecretStore metered = new MeteredSecretStore(backend, registry, false);

        metered.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
        metered.put("app/db", SecretValue.ofUtf8("two"), PutOptions.pending());
        metered.get("app/db");
        metered.versions("app/db");
        metered.promote("app/db", "2", "1");
        metered.moveStage("app/db", Stage.PREVIOUS, null, null);
        metered.list("");
        assertThatThrownBy(() -> metered.get("app/missing")).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> metered.promote("app/db", "1", "7")).isInstanceOf(ConflictException.class);
        metered.delete("app/db");

        assertThat(registry.getTimers().keySet()).containsExactlyInAnyOrder(
                "rotor.store.main.get", "rotor.store.main.get-all", "rotor.store.main.put", "rotor.store.main.versions", "rotor.store.main.promote",
                "rotor.store.main.move-stage", "rotor.store.main.list", "rotor.store.main.delete");
        assertThat(registry.timer("rotor.store.main.get").getCount()).isEqualTo(2);
        assertThat(registry.timer("rotor.store.main.put").getCount()).isEqualTo(2);
        assertThat(registry.timer("rotor.store.main.promote").getCount()).isEqualTo(2);
        assertThat(registry.timer("rotor.store.main.move-stage").getCount()).isEqualTo(1);
        assertThat(registry.timer("rotor.store.main.delete").getCount()).isEqualTo(1);
        assertThat(registry.counter("rotor.store.main.get.errors").getCount()).isEqualTo(1);
        assertThat(registry.counter("rotor.store.main.promote.errors").getCount()).isEqualTo(1);
        assertThat(registry.counter("rotor.store.main.put.errors").getCount()).isZero();
        // No cache above: no cache metrics.
        assertThat(registry.getNames()).noneMatch(n -> n.startsWith("rotor.cache."));
    }

    @Test
    void cacheEventsAreCountedAndTheSizeGaugeFollowsTheCache() {
        MeteredSecretStore metered = new MeteredSecretStore(backend, registry, true);
        CachingSecretStore cache = new CachingSecretStore(metered, CacheOptions.defaults(), clock, List.of(metered));
        metered.registerCacheSize(cache::size);
        assertThat((Double) registry.getGauges().get("rotor.cache.main.hit-ratio").getValue()).as("no reads yet").isNaN();
        backend.backing().put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
        backend.backing().put("app/api", SecretValue.ofUtf8("k"), PutOptions.current());

        cache.get("app/db");
        cache.get("app/db");
        cache.get("app/db");
        cache.get("app/api");
        clock.set(cache.expiry("app/db", Selector.CURRENT).orElseThrow());
        backend.failNext("get", new ProviderUnavailableException("503", true, null));
        cache.get("app/db");

        assertThat(registry.counter("rotor.cache.main.hits").getCount()).isEqualTo(2);
        assertThat(registry.counter("rotor.cache.main.misses").getCount()).isEqualTo(3);
        assertThat(registry.counter("rotor.cache.main.stale").getCount()).isEqualTo(1);
        assertThat(registry.counter("rotor.cache.main.load-failures").getCount()).isEqualTo(1);
        assertThat(registry.getGauges().get("rotor.cache.main.size").getValue()).isEqualTo(2);
        // two hits out of five reads
        assertThat((Double) registry.getGauges().get("rotor.cache.main.hit-ratio").getValue()).isEqualTo(0.4);
        // Hits never reach the timer: three backend reads, one of them failed.
        assertThat(registry.timer("rotor.store.main.get").getCount()).isEqualTo(3);
        assertThat(registry.counter("rotor.store.main.get.errors").getCount()).isEqualTo(1);
        assertThat(registry.getNames()).noneMatch(n -> n.contains("app/") || n.contains("db"));

        cache.close();
        assertThat(registry.getGauges()).doesNotContainKey("rotor.cache.main.size").doesNotContainKey("rotor.cache.main.hit-ratio");
        assertThat(backend.isClosed()).isTrue();
    }

    @Test
    void theSizeGaugeCannotBeRegisteredTwice() {
        MeteredSecretStore one = new MeteredSecretStore(backend, registry, true);
        MeteredSecretStore two = new MeteredSecretStore(backend, registry, true);
        one.registerCacheSize(() -> 0);

        assertThatThrownBy(() -> two.registerCacheSize(() -> 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
