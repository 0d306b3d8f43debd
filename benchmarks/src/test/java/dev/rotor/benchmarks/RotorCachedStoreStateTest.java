package dev.rotor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Counter;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.Secret;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditEventCodec;
import dev.rotor.audit.AuditLogVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Rotor side of {@link CachedReadBenchmark} measures what it claims: after the warm-up read,
 * every call is a cache hit that returns the secret, is counted by the metrics layer and ends up
 * in the audit summary, and the backend is not read again. Measures nothing.
 */
class RotorCachedStoreStateTest {

    private static final int READS = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyBenchmarkCallIsAnAuditedAndCountedCacheHit() throws Exception {
        RotorCachedStoreState state = new RotorCachedStoreState();
        state.start();
        Path auditFile = state.auditFile();
        CachedReadBenchmark benchmark = new CachedReadBenchmark();
        List<Secret> read = new ArrayList<>();
        try {
            for (int i = 0; i < READS; i++) {
                read.add(benchmark.rotorCachedGet(state));
            }

            assertThat(read).allSatisfy(s -> assertThat(s.value().asUtf8()).isEqualTo(BenchmarkSecret.json()));
            assertThat(state.store().cacheStats()).hasValueSatisfying(stats -> {
                assertThat(stats.hits()).isEqualTo(READS);
                assertThat(stats.misses()).isEqualTo(1); // the warm-up read in start()
            });
            Map<String, Long> counters = state.metrics().getCounters().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> ((Counter) e.getValue()).getCount()));
            assertThat(counters).hasEntrySatisfying("rotor.cache.bench.hits", n -> assertThat(n).isEqualTo(READS));

            state.store().flushAuditSummaries();
            List<AuditEvent> events = new ArrayList<>();
            for (String line : Files.readAllLines(auditFile)) {
                events.add(event(line));
            }
            assertThat(events).filteredOn(e -> e.action() == AuditAction.GET).hasSize(1);
            assertThat(events).filteredOn(e -> e.action() == AuditAction.CACHED_GET)
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.path()).isEqualTo(BenchmarkSecret.PATH);
                        assertThat(e.count()).isEqualTo(READS);
                    });
            assertThat(AuditLogVerifier.verify(auditFile).ok()).isTrue();
            assertThat(Files.readString(auditFile)).doesNotContain(BenchmarkSecret.json().substring(30));
        } finally {
            state.stop();
        }
        assertThat(auditFile.getParent()).doesNotExist();
    }

    /** One log line's event; the chain fields ({@code seq}, {@code prev}) are checked by the verifier. */
    private static AuditEvent event(String line) throws Exception {
        return switch (AuditEventCodec.decode(JSON.readTree(line), Set.of("seq", "prev"))) {
            case AuditEventCodec.Decoded.Valid v -> v.event();
            case AuditEventCodec.Decoded.Invalid i -> throw new AssertionError("not an audit event: " + i.problems());
        };
    }
}
