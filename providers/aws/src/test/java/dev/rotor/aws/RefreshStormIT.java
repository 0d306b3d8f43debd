package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.internal.store.CachingSecretStore;
import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.store.CacheOptions;
import dev.rotor.testkit.Await;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.CountingProxy;
import dev.rotor.testkit.peer.PeerExtension;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh storm: 1,000 secrets in moto read through the cache by 64 threads nonstop, with a
 * counting proxy between the AWS SDK and moto. The cache runs on a test clock that the test moves.
 *
 * <ol>
 *   <li>Every entry expired at once: each secret is loaded exactly once more, however many
 *       readers want it.
 *   <li>The clock then walks through a whole TTL in small steps: refresh-ahead reloads each entry
 *       before it expires (readers never meet an expired entry, so never wait), and every load
 *       the proxy counted is one new value in the cache: exactly one load per secret per refresh.
 * </ol>
 */
class RefreshStormIT {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshStormIT.class);

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static final String GET = "secretsmanager.GetSecretValue";
    private static final String BATCH = "secretsmanager.BatchGetSecretValue";
    private static final int SECRETS = 1000;
    private static final int READERS = 64;
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration STEP = Duration.ofMillis(100);
    /** Reads between a clock step and looking at the cache: about 50 per secret, so every secret is read. */
    private static final long READS_PER_STEP = 50L * SECRETS;
    /** How long a wait on the live system (readers, the proxy, moto) may take. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<String> paths = new ArrayList<>();
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private CountingProxy proxy;
    private AwsSecretStore aws;
    private CachingSecretStore cache;

    @BeforeEach
    void setUp() throws Exception {
        proxy = CountingProxy.start(MOTO.peer().uri());
        // Generous timeouts: 64 busy readers share the machine with moto and the proxy.
        aws = Moto.open("aws", proxy.uri(), "connectTimeout", "PT10S", "readTimeout", "PT60S",
                "apiCallAttemptTimeout", "PT60S", "apiCallTimeout", "PT60S");
        cache = new CachingSecretStore(new FailureNaming(aws), CacheOptions.defaults().withTtl(TTL), clock, List.of());
        String prefix = "storm/" + UUID.randomUUID() + "/";
        for (int i = 0; i < SECRETS; i++) {
            paths.add(prefix + "s" + i);
        }
        // Writes straight to moto, one at a time: its writes are not safe to run concurrently.
        try (AwsSecretStore writer = Moto.open("aws", MOTO.peer().uri())) {
            runAll(1, i -> writer.put(paths.get(i), SecretValue.ofUtf8("value-" + i), PutOptions.current()));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        cache.close();
        try (AwsSecretStore cleaner = Moto.open("aws", MOTO.peer().uri())) {
            runAll(1, i -> cleaner.delete(paths.get(i)));
        } finally {
            pool.shutdownNow();
            proxy.close();
        }
    }

    /** Logs the cause chain (types only) of a failed load, which the cache turns into a stale serve. */
    private static final class FailureNaming extends ForwardingSecretStore {
        FailureNaming(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public Secret get(String path, Selector selector) {
            try {
                return super.get(path, selector);
            } catch (RuntimeException e) {
                StringBuilder chain = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) {
                    chain.append(chain.isEmpty() ? "" : " <- ").append(t.getClass().getName());
                }
                LOG.warn("load of {} failed: {}", path, chain);
                throw e;
            }
        }
    }

    private interface IndexTask {
        void run(int i) throws Exception;
    }

    /** Runs {@code task} for every secret, {@code parallel} at a time. */
    private void runAll(int parallel, IndexTask task) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        java.util.concurrent.Semaphore limit = new java.util.concurrent.Semaphore(parallel);
        for (int i = 0; i < SECRETS; i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                limit.acquire();
                try {
                    task.run(n);
                } finally {
                    limit.release();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
    }

    private Map<String, Long> gets() {
        return proxy.counts(GET);
    }

    /** Whether the entry is in the last {@code refreshAhead} of its lifetime, where a hit starts a reload. */
    private boolean inRefreshWindow(String path) {
        long loaded = cache.loadedAt(path, Selector.CURRENT).orElseThrow().toEpochMilli();
        long expiry = cache.expiry(path, Selector.CURRENT).orElseThrow().toEpochMilli();
        long refreshAt = expiry - (long) ((expiry - loaded) * CacheOptions.DEFAULT_REFRESH_AHEAD);
        return clock.millis() >= refreshAt;
    }

    private Map<String, Instant> loadedAt() {
        Map<String, Instant> out = new HashMap<>();
        for (String p : paths) {
            out.put(p, cache.loadedAt(p, Selector.CURRENT).orElseThrow(() -> new AssertionError("no entry for " + p)));
        }
        return out;
    }

    @Test
    void oneBackendLoadPerSecretPerRefreshUnder64Readers() throws Exception {
        runAll(READERS, i -> assertThat(cache.get(paths.get(i)).value().asUtf8()).isEqualTo("value-" + i));
        assertThat(gets()).hasSize(SECRETS).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));

        LongAdder reads = new LongAdder();
        LongAdder wrong = new LongAdder();
        LongAdder failures = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            Thread t = Thread.ofPlatform().name("storm-reader-" + r).start(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    int i = random.nextInt(SECRETS);
                    try {
                        if (!cache.get(paths.get(i)).value().asUtf8().equals("value-" + i)) {
                            wrong.increment();
                        }
                    } catch (RuntimeException e) {
                        failures.increment();
                    }
                    reads.increment();
                    // Nonstop, but leaving moto and the proxy a share of a small machine's cores.
                    Thread.yield();
                }
            });
            readers.add(t);
        }
        try {
            // 1. every entry expired together: one load each, whoever asks
            Instant lastExpiry = paths.stream().map(p -> cache.expiry(p, Selector.CURRENT).orElseThrow()).max(Instant::compareTo).orElseThrow();
            clock.set(lastExpiry.plusMillis(1));
            Await.that("every secret loaded again").until(PATIENCE, () -> gets().values().stream().allMatch(n -> n >= 2));
            long after = reads.sum();
            Await.that("readers went on").until(PATIENCE, () -> reads.sum() >= after + READS_PER_STEP);
            assertThat(gets()).hasSize(SECRETS).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(2L));

            // 2. a whole TTL in small steps, readers nonstop
            Map<String, Instant> seen = loadedAt();
            Map<String, Long> refreshes = new HashMap<>();
            Instant end = clock.instant().plus(TTL);
            while (clock.instant().isBefore(end)) {
                clock.advance(STEP);
                long mark = reads.sum();
                Await.that("readers read after the step").until(PATIENCE, () -> reads.sum() >= mark + READS_PER_STEP);
                // Every entry read in its last moments has its reload done (it may still be
                // queued for a CPU on this small machine, so the proxy alone cannot tell).
                Await.that("reloads finished").until(PATIENCE, () -> proxy.inFlight() == 0 && paths.stream().noneMatch(this::inRefreshWindow));
                Map<String, Instant> now = loadedAt();
                for (String p : paths) {
                    if (!now.get(p).equals(seen.get(p))) {
                        refreshes.merge(p, 1L, Long::sum);
                    }
                    assertThat(cache.expiry(p, Selector.CURRENT).orElseThrow()).as("%s is still fresh (answers by status: %s, failed loads: %s)",
                            p, proxy.statuses(), cache.stats().loadFailures()).isAfter(clock.instant());
                }
                seen = now;
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }

            Map<String, Long> counted = gets();
            assertThat(refreshes).as("every secret was refreshed ahead at least once").hasSize(SECRETS);
            for (String p : paths) {
                assertThat(counted.get(p)).as("loads of %s", p).isEqualTo(2 + refreshes.get(p));
            }
            assertThat(proxy.counts(BATCH)).isEmpty();
            assertThat(wrong.sum()).as("reads with the wrong value").isZero();
            assertThat(failures.sum()).as("reads that failed").isZero();
            LOG.info("refresh storm: {} reads, {} loads after warm-up ({} at the common expiry, {} ahead)", reads.sum(),
                    counted.values().stream().mapToLong(Long::longValue).sum() - SECRETS, SECRETS,
                    refreshes.values().stream().mapToLong(Long::longValue).sum());
        } finally {
            stop.set(true);
        }
    }
}
