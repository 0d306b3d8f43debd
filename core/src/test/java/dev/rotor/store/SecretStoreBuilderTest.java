package dev.rotor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.internal.store.MutableClock;
import dev.rotor.internal.store.RecordingSink;
import dev.rotor.internal.store.RecordingSleeper;
import dev.rotor.internal.store.ScriptedStore;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class SecretStoreBuilderTest {

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final RecordingSink sink = new RecordingSink();
    private final MetricRegistry registry = new MetricRegistry();
    private final RecordingSleeper sleeper = new RecordingSleeper();

    private DecoratedSecretStore everything() {
        return SecretStoreBuilder.on(backend)
                .clock(clock)
                .retry(RetryOptions.defaults())
                .sleeper(sleeper)
                .metrics(registry)
                .audit(sink, AuditOptions.defaults())
                .cache(CacheOptions.defaults())
                .build();
    }

    @Test
    void layersAreComposedInTheFixedOrderWhateverTheCallOrder() {
        try (DecoratedSecretStore store = everything()) {
            assertThat(store.layers()).containsExactly("cache", "audit", "metrics", "retry");
            assertThat(store.toString()).startsWith("DecoratedSecretStore[cache -> audit(test:recording) -> metrics -> retry -> ScriptedStore[");
            assertThat(store.name()).isEqualTo("main");
            assertThat(store.capabilities()).isEqualTo(backend.capabilities());
            assertThat(store.health().up()).isTrue();
        }
    }

    @Test
    void everyLayerIsOptional() {
        try (DecoratedSecretStore bare = SecretStoreBuilder.on(backend).build()) {
            bare.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
            assertThat(bare.get("app/db").value().asUtf8()).isEqualTo("one");
            assertThat(bare.layers()).isEmpty();
            assertThat(bare.cacheStats()).isEmpty();
            bare.invalidate("app/db");
            bare.flushAuditSummaries();
        }
        assertThat(backend.isClosed()).isTrue();
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsField() {
        assertThatThrownBy(() -> SecretStoreBuilder.on(null)
                .clock(null)
                .audit(null, null)
                .metrics(null)
                .cache(null)
                .retry(null)
                .sleeper(null)
                .build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("backend", "clock", "audit.sink", "audit.options", "metrics.registry", "cache", "retry",
                                "retry.sleeper"));
    }

    @Test
    void aLaterValidCallClearsAnEarlierProblem() {
        DecoratedSecretStore store = SecretStoreBuilder.on(backend).cache(null).cache(CacheOptions.defaults()).build();
        assertThat(store.layers()).containsExactly("cache");
    }

    @Test
    void aSecondCachedStoreOfTheSameNameOnOneRegistryIsRefused() {
        try (DecoratedSecretStore first = SecretStoreBuilder.on(backend).metrics(registry).cache(CacheOptions.defaults()).build()) {
            assertThat(first.layers()).containsExactly("cache", "metrics");
            assertThatThrownBy(() -> SecretStoreBuilder.on(new ScriptedStore("main", clock)).metrics(registry)
                    .cache(CacheOptions.defaults()).build())
                    .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                            .extracting(ConfigProblem::field).containsExactly("metrics.registry"));
        }
        // Once the first is closed the name is free again.
        SecretStoreBuilder.on(new ScriptedStore("main", clock)).metrics(registry).cache(CacheOptions.defaults()).build().close();
    }

    @Test
    void buildWorksOnce() {
        SecretStoreBuilder builder = SecretStoreBuilder.on(backend);
        builder.build();
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hitsNeverReachAuditOrMetricsButAreSummarisedAndCounted() {
        try (DecoratedSecretStore store = everything()) {
            backend.backing().put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
            Secret first = store.get("app/db");
            for (int i = 0; i < 5; i++) {
                assertThat(store.get("app/db")).isSameAs(first);
            }

            assertThat(backend.calls("get")).isEqualTo(1);
            assertThat(sink.events()).extracting(AuditEvent::action).containsExactly(AuditAction.GET);
            assertThat(registry.timer("rotor.store.main.get").getCount()).isEqualTo(1);
            assertThat(registry.counter("rotor.cache.main.hits").getCount()).isEqualTo(5);
            assertThat(store.cacheStats()).get().extracting(CacheStats::hits, CacheStats::misses).containsExactly(5L, 1L);

            store.flushAuditSummaries();
            assertThat(sink.events(AuditAction.CACHED_GET)).singleElement().extracting(AuditEvent::count).isEqualTo(5L);
        }
    }

    @Test
    void retriesHappenBelowAuditAndMetrics() {
        try (DecoratedSecretStore store = everything()) {
            backend.backing().put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
            backend.failNext("get", new ProviderUnavailableException("503", true, null));
            backend.failNext("get", new ProviderUnavailableException("503", true, null));

            store.get("app/db");

            assertThat(backend.calls("get")).isEqualTo(3);
            assertThat(sleeper.sleeps()).hasSize(2);
            assertThat(sink.events()).extracting(AuditEvent::action, AuditEvent::outcome)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(AuditAction.GET, AuditOutcome.SUCCESS));
            assertThat(registry.timer("rotor.store.main.get").getCount()).isEqualTo(1);
            assertThat(registry.counter("rotor.store.main.get.errors").getCount()).isZero();
        }
    }

    @Test
    void writesThroughTheStackInvalidateTheCache() {
        try (DecoratedSecretStore store = everything()) {
            store.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
            assertThat(store.get("app/db").value().asUtf8()).isEqualTo("one");
            store.put("app/db", SecretValue.ofUtf8("two"), PutOptions.current());
            assertThat(store.get("app/db").value().asUtf8()).isEqualTo("two");

            store.invalidateAll();
            assertThat(store.cacheStats()).get().extracting(CacheStats::size).isEqualTo(0);
        }
    }

    @Test
    void closeFlushesSummariesAndClosesTheBackendButNotTheSink() {
        DecoratedSecretStore store = everything();
        backend.backing().put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
        store.get("app/db");
        store.get("app/db");
        store.get("app/db");

        store.close();

        assertThat(sink.events(AuditAction.CACHED_GET)).singleElement().extracting(AuditEvent::count).isEqualTo(2L);
        assertThat(backend.isClosed()).isTrue();
        assertThat(sink.isClosed()).isFalse();
        assertThat(registry.getGauges()).doesNotContainKey("rotor.cache.main.size");
    }

    @Test
    void aCacheHitThroughTheWholeStackAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().threadId();
        try (DecoratedSecretStore store = SecretStoreBuilder.on(backend)
                .metrics(registry)
                .audit(sink, AuditOptions.defaults())
                .cache(CacheOptions.defaults())
                .build()) {
            backend.backing().put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
            store.get("app/db");
            for (int i = 0; i < 200_000; i++) {
                store.get("app/db");
            }

            int hits = 100_000;
            long before = threads.getThreadAllocatedBytes(me);
            for (int i = 0; i < hits; i++) {
                store.get("app/db", Selector.CURRENT);
            }
            long allocated = threads.getThreadAllocatedBytes(me) - before;

            // One object per hit would be at least 16 bytes each; allow a little for the measurement itself.
            assertThat(allocated).isLessThan(hits / 10);
            assertThat(store.cacheStats()).get().extracting(CacheStats::hits).isEqualTo(300_000L);
        }
    }
}
