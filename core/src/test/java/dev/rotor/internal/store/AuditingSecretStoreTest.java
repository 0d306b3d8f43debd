package dev.rotor.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.rotor.AccessDeniedException;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConflictException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.HitAudit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditingSecretStoreTest {

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final RecordingSink sink = new RecordingSink();
    private final AuditingSecretStore audit = new AuditingSecretStore(backend, sink,
            AuditOptions.defaults().withDefaultActor("svc-billing"), clock, false);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private VersionInfo seed(String path, String value) {
        return backend.backing().put(path, SecretValue.ofUtf8(value), PutOptions.current());
    }

    private AuditEvent only() {
        assertThat(sink.events()).hasSize(1);
        return sink.events().get(0);
    }

    @Test
    void aReadIsRecordedWithWhoWhatWhichVersionAndWhen() {
        seed("app/db", "one");
        clock.advance(Duration.ofSeconds(5));

        AuditContext.runAs("alice", "req-1", () -> audit.get("app/db"));

        AuditEvent e = only();
        assertThat(e.time()).isEqualTo(clock.instant());
        assertThat(e.firstTime()).isEqualTo(clock.instant());
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(e.requestId()).isEqualTo("req-1");
        assertThat(e.action()).isEqualTo(AuditAction.GET);
        assertThat(e.store()).isEqualTo("main");
        assertThat(e.path()).isEqualTo("app/db");
        assertThat(e.versionId()).isEqualTo("1");
        assertThat(e.selector()).isEqualTo("stage=current");
        assertThat(e.outcome()).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(e.detail()).isNull();
        assertThat(e.count()).isEqualTo(1);
    }

    @Test
    void withoutAContextTheDefaultActorAndAFreshRequestIdAreUsed() {
        seed("app/db", "one");

        audit.get("app/db");
        audit.get("app/db");

        assertThat(sink.events()).extracting(AuditEvent::actor).containsOnly("svc-billing");
        List<String> ids = sink.events().stream().map(AuditEvent::requestId).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(id -> assertThat(UUID.fromString(id)).isNotNull());
    }

    @Test
    void everyBackendOperationIsOneEvent() {
        seed("app/db", "one");
        AuditContext.runAs("rotator", "run-7", () -> {
            VersionInfo pending = audit.put("app/db", SecretValue.ofUtf8("two"), PutOptions.pending());
            audit.get("app/db", Selector.PENDING);
            audit.versions("app/db");
            audit.promote("app/db", pending.id(), "1");
            audit.moveStage("app/db", Stage.PREVIOUS, null, "1");
            audit.list("app/");
            audit.delete("app/db");
        });

        assertThat(sink.events())
                .extracting(AuditEvent::action, AuditEvent::path, AuditEvent::versionId, AuditEvent::selector,
                        AuditEvent::outcome, AuditEvent::detail, AuditEvent::actor, AuditEvent::requestId)
                .containsExactly(
                        tuple(AuditAction.PUT, "app/db", "2", null, AuditOutcome.SUCCESS, "PENDING", "rotator", "run-7"),
                        tuple(AuditAction.GET, "app/db", "2", "stage=pending", AuditOutcome.SUCCESS, null, "rotator", "run-7"),
                        tuple(AuditAction.VERSIONS, "app/db", null, null, AuditOutcome.SUCCESS, null, "rotator", "run-7"),
                        tuple(AuditAction.PROMOTE, "app/db", "2", null, AuditOutcome.SUCCESS, "CURRENT", "rotator", "run-7"),
                        tuple(AuditAction.MOVE_STAGE, "app/db", null, null, AuditOutcome.SUCCESS, "PREVIOUS", "rotator", "run-7"),
                        tuple(AuditAction.LIST, "app/", null, null, AuditOutcome.SUCCESS, null, "rotator", "run-7"),
                        tuple(AuditAction.DELETE, "app/db", null, null, AuditOutcome.SUCCESS, null, "rotator", "run-7"));
    }

    @Test
    void failuresAreRecordedWithTheirOutcomeAndErrorType() {
        seed("app/db", "one");
        backend.failNext("list", new AccessDeniedException("policy forbids list"));
        backend.failNext("versions", new ProviderUnavailableException("timeout", true, null));

        assertThatThrownBy(() -> audit.get("app/missing")).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> audit.get("app/db", Selector.version("9"))).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> audit.promote("app/db", "1", "5")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> audit.list("")).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> audit.versions("app/db")).isInstanceOf(ProviderUnavailableException.class);

        assertThat(sink.events())
                .extracting(AuditEvent::action, AuditEvent::path, AuditEvent::versionId, AuditEvent::outcome, AuditEvent::detail)
                .containsExactly(
                        tuple(AuditAction.GET, "app/missing", null, AuditOutcome.NOT_FOUND, "SecretNotFoundException"),
                        tuple(AuditAction.GET, "app/db", "9", AuditOutcome.NOT_FOUND, "SecretNotFoundException"),
                        tuple(AuditAction.PROMOTE, "app/db", "1", AuditOutcome.CONFLICT, "ConflictException"),
                        tuple(AuditAction.LIST, "", null, AuditOutcome.DENIED, "AccessDeniedException"),
                        tuple(AuditAction.VERSIONS, "app/db", null, AuditOutcome.ERROR, "ProviderUnavailableException"));
    }

    @Test
    void whenTheSinkFailsTheReaderGetsAuditUnavailableAndNeverTheValue() {
        seed("app/db", "one");
        sink.failing(true);

        assertThatThrownBy(() -> audit.get("app/db"))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("app/db")
                .hasCauseInstanceOf(IllegalStateException.class);
        // The value the backend handed over was wiped instead of returned.
        assertThat(backend.lastReturned()).isNotNull();
        assertThat(backend.lastReturned().value().isDestroyed()).isTrue();
    }

    @Test
    void whenTheSinkFailsAWriteIsReportedAsAuditUnavailable() {
        sink.failing(true);

        assertThatThrownBy(() -> audit.put("app/db", SecretValue.ofUtf8("x"), PutOptions.current()))
                .isInstanceOf(AuditUnavailableException.class);
    }

    @Test
    void whenTheSinkAndTheOperationBothFailTheOperationErrorIsKeptAsSuppressed() {
        sink.failing(true);

        assertThatThrownBy(() -> audit.get("app/missing"))
                .isInstanceOf(AuditUnavailableException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(SecretNotFoundException.class));
    }

    @Test
    void cacheHitsAreSummarisedPerActorAndPath() {
        CachingSecretStore cache = new CachingSecretStore(audit, CacheOptions.defaults(), clock, List.of(audit));
        seed("app/db", "one");
        seed("app/api", "k");
        Instant start = clock.instant();
        cache.get("app/db"); // a load: one GET event
        cache.get("app/api");
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            cache.get("app/db");
        }
        AuditContext.runAs("alice", "r", () -> {
            cache.get("app/db");
            cache.get("app/db");
        });
        assertThat(sink.events(AuditAction.GET)).hasSize(2);
        assertThat(sink.events(AuditAction.CACHED_GET)).isEmpty();

        audit.flushSummaries();

        Map<String, AuditEvent> byActor = new HashMap<>();
        sink.events(AuditAction.CACHED_GET).forEach(e -> byActor.put(e.actor() + " " + e.path(), e));
        assertThat(byActor).containsOnlyKeys("svc-billing app/db", "alice app/db");
        AuditEvent mine = byActor.get("svc-billing app/db");
        assertThat(mine.count()).isEqualTo(3);
        assertThat(mine.firstTime()).isEqualTo(start.plusSeconds(1));
        assertThat(mine.time()).isEqualTo(start.plusSeconds(3));
        assertThat(mine.store()).isEqualTo("main");
        assertThat(mine.outcome()).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(byActor.get("alice app/db").count()).isEqualTo(2);

        // Nothing new: nothing written.
        int before = sink.events().size();
        audit.flushSummaries();
        assertThat(sink.events()).hasSize(before);

        // The next window starts afresh.
        clock.advance(Duration.ofSeconds(10));
        cache.get("app/db");
        audit.flushSummaries();
        AuditEvent next = sink.events().get(sink.events().size() - 1);
        assertThat(next.count()).isEqualTo(1);
        assertThat(next.firstTime()).isEqualTo(next.time()).isEqualTo(start.plusSeconds(13));
    }

    @Test
    void summariesCountEveryHitExactlyWhileFlushesRunConcurrently() throws Exception {
        CachingSecretStore cache = new CachingSecretStore(audit, CacheOptions.defaults(), clock, List.of(audit));
        seed("app/db", "one");
        seed("app/api", "k");
        cache.get("app/db");
        cache.get("app/api");
        int threads = 8;
        int hits = 20_000;
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        AtomicBoolean done = new AtomicBoolean();
        List<Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String actor = "actor-" + (t % 3);
            String path = t % 2 == 0 ? "app/db" : "app/api";
            readers.add(pool.submit(() -> {
                start.await();
                AuditContext.runAs(actor, "r", () -> {
                    for (int i = 0; i < hits; i++) {
                        cache.get(path);
                    }
                });
                return null;
            }));
        }
        Future<?> flusher = pool.submit(() -> {
            start.await();
            while (!done.get()) {
                audit.flushSummaries();
            }
            return null;
        });
        for (Future<?> r : readers) {
            r.get(60, TimeUnit.SECONDS);
        }
        done.set(true);
        flusher.get(60, TimeUnit.SECONDS);
        audit.flushSummaries();

        List<AuditEvent> summaries = sink.events(AuditAction.CACHED_GET);
        assertThat(summaries.stream().mapToLong(AuditEvent::count).sum()).isEqualTo((long) threads * hits);
        Map<String, Long> perPair = new HashMap<>();
        summaries.forEach(e -> perPair.merge(e.actor() + " " + e.path(), e.count(), Long::sum));
        Map<String, Long> expected = new HashMap<>();
        for (int t = 0; t < threads; t++) {
            expected.merge("actor-" + (t % 3) + " " + (t % 2 == 0 ? "app/db" : "app/api"), (long) hits, Long::sum);
        }
        assertThat(perPair).isEqualTo(expected);
    }

    @Test
    void aFailedFlushKeepsTheCountsForTheNextOne() {
        CachingSecretStore cache = new CachingSecretStore(audit, CacheOptions.defaults(), clock, List.of(audit));
        seed("app/db", "one");
        cache.get("app/db");
        Instant first = clock.instant();
        cache.get("app/db");
        clock.advance(Duration.ofSeconds(2));
        cache.get("app/db");
        sink.failing(true);

        assertThatThrownBy(audit::flushSummaries).isInstanceOf(AuditUnavailableException.class).hasMessageContaining("kept");

        clock.advance(Duration.ofSeconds(2));
        cache.get("app/db");
        sink.failing(false);
        audit.flushSummaries();
        AuditEvent summary = sink.events(AuditAction.CACHED_GET).get(0);
        assertThat(summary.count()).isEqualTo(3);
        assertThat(summary.firstTime()).isEqualTo(first);
        assertThat(summary.time()).isEqualTo(first.plusSeconds(4));
    }

    @Test
    void staleServesAreAuditedAsCachedReads() {
        CachingSecretStore cache = new CachingSecretStore(audit, CacheOptions.defaults(), clock, List.of(audit));
        seed("app/db", "one");
        cache.get("app/db");
        clock.set(cache.expiry("app/db", Selector.CURRENT).orElseThrow());
        backend.failNext("get", new ProviderUnavailableException("503", true, null));

        cache.get("app/db");
        audit.flushSummaries();

        assertThat(sink.events()).extracting(AuditEvent::action, AuditEvent::outcome, AuditEvent::count)
                .containsExactly(
                        tuple(AuditAction.GET, AuditOutcome.SUCCESS, 1L),
                        tuple(AuditAction.GET, AuditOutcome.ERROR, 1L),
                        tuple(AuditAction.CACHED_GET, AuditOutcome.SUCCESS, 1L));
    }

    @Test
    void eachModeWritesOneEventPerHitAndFailsClosed() {
        AuditingSecretStore each = new AuditingSecretStore(backend, sink,
                AuditOptions.defaults().withHitAudit(HitAudit.EACH), clock, true);
        CachingSecretStore cache = new CachingSecretStore(each, CacheOptions.defaults(), clock, List.of(each));
        seed("app/db", "one");
        cache.get("app/db");
        AuditContext.runAs("bob", "req-9", () -> {
            cache.get("app/db");
            cache.get("app/db");
        });

        assertThat(sink.events(AuditAction.CACHED_GET))
                .extracting(AuditEvent::actor, AuditEvent::requestId, AuditEvent::versionId, AuditEvent::selector, AuditEvent::count)
                .containsExactly(tuple("bob", "req-9", "1", "stage=current", 1L), tuple("bob", "req-9", "1", "stage=current", 1L));

        sink.failing(true);
        assertThatThrownBy(() -> cache.get("app/db")).isInstanceOf(AuditUnavailableException.class);
        each.close();
    }

    @Test
    void closeFlushesSummariesAndClosesTheBackendButNotTheSink() {
        CachingSecretStore cache = new CachingSecretStore(audit, CacheOptions.defaults(), clock, List.of(audit));
        seed("app/db", "one");
        cache.get("app/db");
        cache.get("app/db");

        cache.close();

        assertThat(sink.events(AuditAction.CACHED_GET)).singleElement().extracting(AuditEvent::count).isEqualTo(1L);
        assertThat(backend.isClosed()).isTrue();
        assertThat(sink.isClosed()).isFalse();
    }

    @Test
    void closeClosesTheBackendEvenWhenTheLastSummariesCannotBeWritten() {
        CachingSecretStore cache = new CachingSecretStore(audit, CacheOptions.defaults(), clock, List.of(audit));
        seed("app/db", "one");
        cache.get("app/db");
        cache.get("app/db");
        sink.failing(true);

        assertThatThrownBy(cache::close).isInstanceOf(AuditUnavailableException.class);
        assertThat(backend.isClosed()).isTrue();
    }

    @Test
    void summariesAreWrittenPeriodically() throws Exception {
        AuditingSecretStore periodic = new AuditingSecretStore(backend, sink,
                AuditOptions.defaults().withSummaryInterval(Duration.ofMillis(20)), clock, true);
        CachingSecretStore cache = new CachingSecretStore(periodic, CacheOptions.defaults(), clock, List.of(periodic));
        seed("app/db", "one");
        cache.get("app/db");
        cache.get("app/db");

        // The scheduler is a real thread: wait for its write (a notification, not a sleep).
        assertThat(sink.await(AuditAction.CACHED_GET, 1, Duration.ofSeconds(30)))
                .singleElement().extracting(AuditEvent::count).isEqualTo(1L);
        periodic.close();
    }
}
