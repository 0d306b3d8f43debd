package dev.rotor.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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
import dev.rotor.store.CacheOptions;
import dev.rotor.store.CacheStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CachingSecretStoreTest {

    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration MAX_STALE = Duration.ofSeconds(60);
    private static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(8);

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final CachingSecretStore cache = new CachingSecretStore(backend,
            new CacheOptions(TTL, MAX_STALE, BACKOFF_INITIAL, BACKOFF_MAX, null), clock, List.of());
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private VersionInfo seed(String path, String value) {
        return backend.backing().put(path, SecretValue.ofUtf8(value), PutOptions.current());
    }

    private static ProviderUnavailableException unavailable() {
        return new ProviderUnavailableException("backend answered 503", true, null);
    }

    /** Moves the clock past the entry's expiry. */
    private void expire(String path, Selector selector) {
        Instant expiry = cache.expiry(path, selector).orElseThrow();
        clock.set(expiry);
    }

    @Test
    void aHitReturnsTheSameSecretWithASharedValueAndDoesNotCallTheBackend() {
        seed("app/db", "one");

        Secret first = cache.get("app/db");
        Secret second = cache.get("app/db");
        Secret third = cache.get("app/db", Selector.CURRENT);

        assertThat(second).isSameAs(first);
        assertThat(third).isSameAs(first);
        assertThat(first.value().isShared()).isTrue();
        assertThat(backend.calls("get")).isEqualTo(1);
        assertThat(cache.stats()).isEqualTo(new CacheStats(2, 1, 0, 0, 1));
    }

    @Test
    void destroyingAValueHandedOutDoesNotWipeTheCachedOne() {
        seed("app/db", "one");

        cache.get("app/db").value().destroy(); // the loader's copy
        cache.get("app/db").value().destroy(); // a hit's copy

        assertThat(cache.get("app/db").value().asUtf8()).isEqualTo("one");
    }

    @Test
    void selectorsAreCachedSeparately() {
        VersionInfo v1 = seed("app/db", "one");
        seed("app/db", "two");
        backend.backing().put("app/db", SecretValue.ofUtf8("three"), PutOptions.pending());

        assertThat(cache.get("app/db", Selector.CURRENT).value().asUtf8()).isEqualTo("two");
        assertThat(cache.get("app/db", Selector.PENDING).value().asUtf8()).isEqualTo("three");
        assertThat(cache.get("app/db", Selector.PREVIOUS).value().asUtf8()).isEqualTo("one");
        assertThat(cache.get("app/db", Selector.version(v1.id())).value().asUtf8()).isEqualTo("one");
        assertThat(cache.get("app/db", Selector.version(v1.id())).value().asUtf8()).isEqualTo("one");
        assertThat(cache.get("app/db", Selector.PENDING).value().asUtf8()).isEqualTo("three");

        assertThat(backend.calls("get")).isEqualTo(4);
        assertThat(cache.stats().size()).isEqualTo(4);
    }

    @Test
    void thirtyTwoThreadsOnAColdKeyShareOneLoad() throws Exception {
        seed("app/db", "one");
        ScriptedStore.Gate gate = backend.gateGets("app/db");
        int threads = 32;
        CyclicBarrier start = new CyclicBarrier(threads);
        Set<Thread> callers = ConcurrentHashMap.newKeySet();
        List<Future<Secret>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit(() -> {
                callers.add(Thread.currentThread());
                start.await();
                return cache.get("app/db");
            }));
        }
        gate.awaitEntered();
        // Hold the load until every other caller is parked on it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (callers.stream().filter(CachingSecretStoreTest::waitsOnALoad).count() < threads - 1) {
            assertThat(System.nanoTime()).as("all callers parked on the load within 30 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
        gate.release();

        Secret first = results.get(0).get(30, TimeUnit.SECONDS);
        for (Future<Secret> f : results) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(backend.calls("get")).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
        assertThat(cache.stats().hits()).isEqualTo(threads - 1);
    }

    private static boolean waitsOnALoad(Thread t) {
        Object blocker = java.util.concurrent.locks.LockSupport.getBlocker(t);
        return blocker != null && blocker.getClass().getName().startsWith(CompletableFuture.class.getName());
    }

    @Test
    void racingCallersOnAColdKeyWithAFastBackendStillLoadOnce() throws Exception {
        for (int round = 0; round < 50; round++) {
            String path = "app/key" + round;
            seed(path, "v");
            int threads = 16;
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Secret>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cache.get(path);
                }));
            }
            for (Future<Secret> f : results) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(backend.calls("get")).isEqualTo(50);
    }

    @Test
    void expiryIsJitteredUniformlyBetweenHalfTheTtlAndTheTtl() {
        long ttl = TTL.toMillis();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 1000; i++) {
            seed("jitter/k" + i, "v");
            cache.get("jitter/k" + i);
            long lifetime = cache.expiry("jitter/k" + i, Selector.CURRENT).orElseThrow().toEpochMilli() - clock.millis();
            assertThat(lifetime).isBetween(ttl / 2, ttl);
            min = Math.min(min, lifetime);
            max = Math.max(max, lifetime);
        }
        // 1000 uniform draws: the extremes land near both ends (a miss is astronomically unlikely).
        assertThat(min).isLessThan(ttl / 2 + ttl / 20);
        assertThat(max).isGreaterThan(ttl - ttl / 20);
    }

    @Test
    void anExpiredEntryIsLoadedAgain() {
        // Without refresh-ahead, which would reload the entry in its last moments (CacheRefreshAheadTest).
        CachingSecretStore cache = new CachingSecretStore(backend,
                new CacheOptions(TTL, MAX_STALE, BACKOFF_INITIAL, BACKOFF_MAX, null, 0), clock, List.of());
        seed("app/db", "one");
        cache.get("app/db");
        clock.set(cache.expiry("app/db", Selector.CURRENT).orElseThrow().minusMillis(1));
        cache.get("app/db");
        assertThat(backend.calls("get")).isEqualTo(1);

        seed("app/db", "two");
        clock.advance(Duration.ofMillis(1));

        assertThat(cache.get("app/db").value().asUtf8()).isEqualTo("two");
        assertThat(backend.calls("get")).isEqualTo(2);
    }

    @Test
    void aFailedRefreshServesTheLastGoodValueWithinMaxStaleThenFails() {
        seed("app/db", "one");
        Secret good = cache.get("app/db");
        Instant expiry = cache.expiry("app/db", Selector.CURRENT).orElseThrow();
        ProviderUnavailableException outage = unavailable();
        backend.failAlways("get", () -> outage);

        clock.set(expiry);
        assertThat(cache.get("app/db")).isSameAs(good);
        assertThat(cache.stats().staleServes()).isEqualTo(1);
        assertThat(cache.stats().loadFailures()).isEqualTo(1);

        // Still in backoff: served stale without asking the backend.
        assertThat(cache.get("app/db")).isSameAs(good);
        assertThat(backend.calls("get")).isEqualTo(2);

        // Backoff over, still within maxStale: the backend is asked again, and stale is served again.
        clock.set(cache.backoff("app/db", Selector.CURRENT).orElseThrow().nextAttempt());
        assertThat(cache.get("app/db")).isSameAs(good);
        assertThat(backend.calls("get")).isEqualTo(3);

        // Past maxStale and past the backoff: the backend's error reaches the caller.
        clock.set(expiry.plus(MAX_STALE).plus(BACKOFF_MAX));
        assertThatThrownBy(() -> cache.get("app/db")).isSameAs(outage);
        assertThat(backend.calls("get")).isEqualTo(4);

        // Past maxStale, inside the new backoff: a retryable error naming the wait, the last failure as cause.
        assertThatThrownBy(() -> cache.get("app/db"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("app/db")
                .hasMessageContaining("next attempt in")
                .hasCause(outage)
                .satisfies(e -> {
                    ProviderUnavailableException p = (ProviderUnavailableException) e;
                    assertThat(p.isRetryable()).isTrue();
                    assertThat(p.retryAfter()).get().satisfies(d -> assertThat(d).isPositive().isLessThanOrEqualTo(BACKOFF_MAX));
                });
        assertThat(backend.calls("get")).isEqualTo(4);
    }

    @Test
    void zeroMaxStaleNeverServesAnExpiredValue() {
        CachingSecretStore strict = new CachingSecretStore(backend,
                new CacheOptions(TTL, Duration.ZERO, BACKOFF_INITIAL, BACKOFF_MAX, null), clock, List.of());
        seed("app/db", "one");
        strict.get("app/db");
        clock.set(strict.expiry("app/db", Selector.CURRENT).orElseThrow());
        backend.failNext("get", unavailable());

        assertThatThrownBy(() -> strict.get("app/db")).isInstanceOf(ProviderUnavailableException.class);
        assertThat(strict.stats().staleServes()).isZero();
    }

    @Test
    void otherBackendErrorsAlsoServeStaleButAuditFailuresDoNot() {
        seed("app/db", "one");
        Secret good = cache.get("app/db");
        expire("app/db", Selector.CURRENT);

        backend.failNext("get", new AccessDeniedException("token expired"));
        assertThat(cache.get("app/db")).isSameAs(good);

        clock.set(cache.backoff("app/db", Selector.CURRENT).orElseThrow().nextAttempt());
        AuditUnavailableException audit = new AuditUnavailableException("sink down", null);
        backend.failNext("get", audit);
        assertThatThrownBy(() -> cache.get("app/db")).isSameAs(audit);
        assertThat(cache.stats().staleServes()).isEqualTo(1);
        assertThat(cache.backoff("app/db", Selector.CURRENT).orElseThrow().failures()).isEqualTo(1);
    }

    @Test
    void backoffDoublesToTheCapAndResetsOnSuccess() {
        seed("app/db", "one");
        backend.failAlways("get", CachingSecretStoreTest::unavailable);
        List<Duration> steps = new ArrayList<>();
        for (int failure = 1; failure <= 6; failure++) {
            Instant now = clock.instant();
            assertThatThrownBy(() -> cache.get("app/db")).isInstanceOf(ProviderUnavailableException.class);
            BackoffState b = cache.backoff("app/db", Selector.CURRENT).orElseThrow();
            assertThat(b.failures()).isEqualTo(failure);
            assertThat(b.nextAttempt()).isBetween(now.plus(b.step().dividedBy(2)), now.plus(b.step()));
            steps.add(b.step());

            // Until nextAttempt nobody reaches the backend.
            int calls = backend.calls("get");
            clock.set(b.nextAttempt().minusMillis(1));
            assertThatThrownBy(() -> cache.get("app/db")).isInstanceOf(ProviderUnavailableException.class);
            assertThat(backend.calls("get")).isEqualTo(calls);
            clock.set(b.nextAttempt());
        }
        assertThat(steps).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 8L, 8L);

        backend.heal("get");
        assertThat(cache.get("app/db").value().asUtf8()).isEqualTo("one");
        assertThat(cache.backoff("app/db", Selector.CURRENT)).isEmpty();

        expire("app/db", Selector.CURRENT);
        backend.failNext("get", unavailable());
        cache.get("app/db"); // stale
        assertThat(cache.backoff("app/db", Selector.CURRENT).orElseThrow())
                .satisfies(b -> {
                    assertThat(b.failures()).isEqualTo(1);
                    assertThat(b.step()).isEqualTo(BACKOFF_INITIAL);
                });
    }

    @Test
    void notFoundPropagatesAndDropsTheEntry() {
        seed("app/db", "one");
        cache.get("app/db");
        backend.backing().delete("app/db");
        expire("app/db", Selector.CURRENT);

        assertThatThrownBy(() -> cache.get("app/db")).isInstanceOf(SecretNotFoundException.class);
        assertThat(cache.expiry("app/db", Selector.CURRENT)).isEmpty();
        assertThat(cache.stats().size()).isZero();
        assertThat(cache.stats().staleServes()).isZero();

        // No backoff after not-found: the next read asks the backend straight away.
        assertThatThrownBy(() -> cache.get("app/db")).isInstanceOf(SecretNotFoundException.class);
        assertThat(backend.calls("get")).isEqualTo(3);
        seed("app/db", "back");
        assertThat(cache.get("app/db").value().asUtf8()).isEqualTo("back");
    }

    @Test
    void anInvalidPathIsRejectedAndNothingIsCached() {
        assertThatThrownBy(() -> cache.get("../etc")).isInstanceOf(dev.rotor.InvalidSecretRefException.class);
        assertThatThrownBy(() -> cache.get(null)).isInstanceOf(dev.rotor.InvalidSecretRefException.class);
        assertThat(backend.calls("get")).isZero();
        assertThat(cache.stats().size()).isZero();
    }

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("put", (Consumer<CachingSecretStore>) c -> c.put("app/db", SecretValue.ofUtf8("new"), PutOptions.current())),
                Arguments.of("promote", (Consumer<CachingSecretStore>) c -> c.promote("app/db", "3", null)),
                Arguments.of("moveStage", (Consumer<CachingSecretStore>) c -> c.moveStage("app/db", Stage.PENDING, null, null)),
                Arguments.of("delete", (Consumer<CachingSecretStore>) c -> c.delete("app/db")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void aLocalWriteDropsEveryEntryOfItsPath(String kind, Consumer<CachingSecretStore> write) {
        seed("app/db", "one");
        seed("app/db", "two");
        backend.backing().put("app/db", SecretValue.ofUtf8("three"), PutOptions.pending());
        seed("app/other", "x");
        cache.get("app/db", Selector.CURRENT);
        cache.get("app/db", Selector.PENDING);
        cache.get("app/db", Selector.version("1"));
        cache.get("app/other");

        write.accept(cache);

        assertThat(cache.expiry("app/db", Selector.CURRENT)).isEmpty();
        assertThat(cache.expiry("app/db", Selector.PENDING)).isEmpty();
        assertThat(cache.expiry("app/db", Selector.version("1"))).isEmpty();
        assertThat(cache.expiry("app/other", Selector.CURRENT)).isPresent();
        assertThat(cache.stats().size()).isEqualTo(1);
        int before = backend.calls("get");
        if (!kind.equals("delete")) {
            Secret now = cache.get("app/db");
            assertThat(backend.calls("get")).isEqualTo(before + 1);
            assertThat(now.version()).isEqualTo(backend.backing().get("app/db").version());
        } else {
            assertThatThrownBy(() -> cache.get("app/db")).isInstanceOf(SecretNotFoundException.class);
        }
    }

    @Test
    void aFailedWriteStillDropsThePath() {
        seed("app/db", "one");
        cache.get("app/db");

        assertThatThrownBy(() -> cache.promote("app/db", "1", "999")).isInstanceOf(ConflictException.class);
        assertThat(cache.expiry("app/db", Selector.CURRENT)).isEmpty();
    }

    @Test
    void aSlowLoadBlocksNeitherOtherKeysNorWritesToItsOwnPath() throws Exception {
        seed("app/slow", "older");
        seed("app/slow", "old");
        seed("app/cached", "c");
        seed("app/cold", "d");
        cache.get("app/cached");
        ScriptedStore.Gate gate = backend.gateGets("app/slow");
        CompletableFuture<Secret> slow = CompletableFuture.supplyAsync(() -> cache.get("app/slow"), pool);
        gate.awaitEntered();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(cache.get("app/cached").value().asUtf8()).isEqualTo("c");
            assertThat(cache.get("app/cold").value().asUtf8()).isEqualTo("d");
            assertThat(cache.get("app/slow", Selector.PREVIOUS).value().asUtf8()).isEqualTo("older");
            cache.put("app/slow", SecretValue.ofUtf8("new"), PutOptions.current());
            cache.invalidateAll();
            assertThat(cache.stats()).isNotNull();
        });

        gate.release();
        assertThat(slow.get(30, TimeUnit.SECONDS).value().asUtf8()).isEqualTo("old");
        // The load began before the put; its result was dropped with the path, not kept.
        assertThat(cache.get("app/slow").value().asUtf8()).isEqualTo("new");
    }

    @Test
    void maxEntriesEvictsTheOldestLoadedEntries() {
        CachingSecretStore small = new CachingSecretStore(backend,
                new CacheOptions(TTL, MAX_STALE, BACKOFF_INITIAL, BACKOFF_MAX, 3), clock, List.of());
        for (int i = 0; i < 5; i++) {
            seed("app/k" + i, "v" + i);
        }
        for (int i = 0; i < 5; i++) {
            small.get("app/k" + i);
            clock.advance(Duration.ofMillis(10));
        }

        assertThat(small.stats().size()).isEqualTo(3);
        assertThat(small.expiry("app/k0", Selector.CURRENT)).isEmpty();
        assertThat(small.expiry("app/k1", Selector.CURRENT)).isEmpty();
        assertThat(small.expiry("app/k4", Selector.CURRENT)).isPresent();
    }

    @Test
    void listenersHearHitsStaleServesMissesAndFailures() {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        CacheHitListener listener = new CacheHitListener() {
            @Override
            public void onHit(String path, Selector selector, Secret secret, boolean stale, long nowMillis) {
                heard.add((stale ? "stale " : "hit ") + path + " " + selector + " v" + secret.version().id()
                        + (nowMillis == clock.millis() ? " at now" : " at " + nowMillis));
            }

            @Override
            public void onMiss() {
                heard.add("miss");
            }

            @Override
            public void onLoadFailure() {
                heard.add("failure");
            }
        };
        CachingSecretStore listened = new CachingSecretStore(backend,
                new CacheOptions(TTL, MAX_STALE, BACKOFF_INITIAL, BACKOFF_MAX, null), clock, List.of(listener));
        seed("app/db", "one");

        listened.get("app/db");
        listened.get("app/db");
        clock.set(listened.expiry("app/db", Selector.CURRENT).orElseThrow());
        backend.failNext("get", unavailable());
        listened.get("app/db");

        assertThat(heard).containsExactly("miss", "hit app/db stage=current v1 at now", "miss", "failure", "stale app/db stage=current v1 at now");
    }

    @Test
    void aListenerThatRefusesAHitStopsTheRead() {
        CacheHitListener refusing = (path, selector, secret, stale, nowMillis) -> {
            throw new AuditUnavailableException("no audit", null);
        };
        CachingSecretStore guarded = new CachingSecretStore(backend,
                new CacheOptions(TTL, MAX_STALE, BACKOFF_INITIAL, BACKOFF_MAX, null), clock, List.of(refusing));
        seed("app/db", "one");
        guarded.get("app/db");

        assertThatThrownBy(() -> guarded.get("app/db")).isInstanceOf(AuditUnavailableException.class);
        assertThat(guarded.stats().hits()).isZero();
    }

    @Test
    void closeEmptiesTheCacheAndClosesTheBackend() {
        seed("app/db", "one");
        cache.get("app/db");

        cache.close();

        assertThat(cache.stats().size()).isZero();
        assertThat(backend.isClosed()).isTrue();
    }
}
