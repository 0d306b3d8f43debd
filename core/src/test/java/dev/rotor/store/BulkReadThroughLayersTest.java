package dev.rotor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.internal.store.MutableClock;
import dev.rotor.internal.store.RecordingSink;
import dev.rotor.internal.store.RecordingSleeper;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.ForwardingSecretStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A bulk read keeps being one bulk read through every layer, with each layer's own duty done. */
class BulkReadThroughLayersTest {

    private static final String CANARY = "CANARY-bulk-40e2";

    /** A backend with a bulk API of its own: records each bulk read and can fail the next ones. */
    private static final class BulkBackend extends ForwardingSecretStore {
        final List<List<String>> bulkReads = new CopyOnWriteArrayList<>();
        final AtomicInteger singleReads = new AtomicInteger();
        final AtomicInteger failuresLeft = new AtomicInteger();

        BulkBackend(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
            bulkReads.add(new ArrayList<>(paths));
            if (failuresLeft.getAndDecrement() > 0) {
                throw new ProviderUnavailableException("store 'main' throttled the bulk read", true, null);
            }
            return delegate.getAll(paths, selector);
        }

        @Override
        public Secret get(String path, Selector selector) {
            singleReads.incrementAndGet();
            return delegate.get(path, selector);
        }
    }

    private final MutableClock clock = new MutableClock();
    private final InMemorySecretStore memory = new InMemorySecretStore("main", clock);
    private final BulkBackend backend = new BulkBackend(memory);
    private final RecordingSink sink = new RecordingSink();
    private final MetricRegistry registry = new MetricRegistry();

    BulkReadThroughLayersTest() {
        memory.put("a", SecretValue.ofUtf8("a-" + CANARY), PutOptions.current());
        memory.put("b", SecretValue.ofUtf8("b-" + CANARY), PutOptions.current());
    }

    private DecoratedSecretStore everything() {
        return SecretStoreBuilder.on(backend).clock(clock).retry(RetryOptions.defaults()).sleeper(new RecordingSleeper())
                .metrics(registry).audit(sink, AuditOptions.defaults()).cache(CacheOptions.defaults()).build();
    }

    @Test
    void oneBulkReadBelowAuditedPerPathTimedOnceAndCached() {
        try (DecoratedSecretStore store = everything()) {
            Map<String, Secret> first = store.getAll(List.of("b", "missing", "a"), Selector.CURRENT);

            assertThat(first.keySet()).containsExactly("b", "a");
            assertThat(first.get("a").value().asUtf8()).isEqualTo("a-" + CANARY);
            assertThat(backend.bulkReads).containsExactly(List.of("b", "missing", "a"));
            assertThat(backend.singleReads).hasValue(0);
            assertThat(sink.events()).extracting(AuditEvent::action, AuditEvent::path, AuditEvent::outcome)
                    .containsExactly(
                            tuple(AuditAction.GET, "b", AuditOutcome.SUCCESS),
                            tuple(AuditAction.GET, "missing", AuditOutcome.NOT_FOUND),
                            tuple(AuditAction.GET, "a", AuditOutcome.SUCCESS));
            assertThat(registry.timer("rotor.store.main.get-all").getCount()).isEqualTo(1);

            Map<String, Secret> again = store.getAll(List.of("a", "b", "missing"), Selector.CURRENT);

            assertThat(again.keySet()).containsExactly("a", "b");
            assertThat(backend.bulkReads).hasSize(2).last().isEqualTo(List.of("missing"));
            assertThat(store.get("a").value().asUtf8()).isEqualTo("a-" + CANARY);
            assertThat(backend.singleReads).hasValue(0);

            store.put("a", SecretValue.ofUtf8("a2-" + CANARY), PutOptions.current());
            assertThat(store.getAll(List.of("a"), Selector.CURRENT).get("a").value().asUtf8()).isEqualTo("a2-" + CANARY);
            assertThat(backend.bulkReads).hasSize(3).last().isEqualTo(List.of("a"));
        }
    }

    @Test
    void expiredEntriesAreReadAgainInBulk() {
        try (DecoratedSecretStore store = everything()) {
            store.getAll(List.of("a", "b"), Selector.CURRENT);
            clock.advance(CacheOptions.defaults().ttl().plus(Duration.ofSeconds(1)));

            store.getAll(List.of("a", "b"), Selector.CURRENT);

            assertThat(backend.bulkReads).containsExactly(List.of("a", "b"), List.of("a", "b"));
        }
    }

    @Test
    void aRetryableBulkFailureIsRetriedAsAWhole() {
        backend.failuresLeft.set(1);
        try (DecoratedSecretStore store = everything()) {
            assertThat(store.getAll(List.of("a", "b"), Selector.CURRENT)).containsOnlyKeys("a", "b");
            assertThat(backend.bulkReads).hasSize(2);
        }
    }

    @Test
    void aFailedBulkReadIsAuditedForEveryPathAndThrown() {
        backend.failuresLeft.set(100);
        try (DecoratedSecretStore store = everything()) {
            assertThatThrownBy(() -> store.getAll(List.of("a", "b"), Selector.CURRENT))
                    .isInstanceOf(ProviderUnavailableException.class);
            assertThat(sink.events()).extracting(AuditEvent::path, AuditEvent::outcome)
                    .containsExactly(tuple("a", AuditOutcome.ERROR), tuple("b", AuditOutcome.ERROR));
            assertThat(registry.counter("rotor.store.main.get-all.errors").getCount()).isEqualTo(1);
        }
    }

    @Test
    void anUnauditableBulkReadReturnsNothing() {
        sink.failing(true);
        try (DecoratedSecretStore store = everything()) {
            assertThatThrownBy(() -> store.getAll(List.of("a", "b"), Selector.CURRENT))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("bulk read of 2 secrets")
                    .hasMessageNotContaining(CANARY);
            sink.failing(false);
            assertThat(store.cacheStats().orElseThrow().size()).isZero();
        }
    }
}
