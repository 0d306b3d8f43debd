package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.internal.store.BackoffState;
import dev.rotor.internal.store.CachingSecretStore;
import dev.rotor.internal.store.RetryingSecretStore;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.CacheStats;
import dev.rotor.store.RetryOptions;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.Fault;
import dev.rotor.testkit.peer.FaultProxy.Outcome;
import dev.rotor.testkit.peer.FaultProxy;
import dev.rotor.testkit.peer.PeerExtension;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS Secrets Manager (moto) behind a fault-injecting proxy, read through the cache and retry
 * layers in the order the store builder composes them (cache, then retry, then the AWS store).
 * The cache runs on a test clock and the retry layer on a recording sleeper, so no test waits
 * for time; only the SDK's own attempt timeout, in the slow-answer case, takes real time.
 */
class AwsFaultIT {

    private static final Logger LOG = LoggerFactory.getLogger(AwsFaultIT.class);

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static final String GET = "secretsmanager.GetSecretValue";
    private static final String DESCRIBE = "secretsmanager.DescribeSecret";
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration MAX_STALE = Duration.ofMinutes(2);
    private static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(8);
    private static final int ATTEMPTS = 3;
    private static final int SECRETS = 4;

    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<String> paths = new ArrayList<>();
    private FaultProxy proxy;
    private AwsSecretStore aws;
    private CachingSecretStore cache;

    @BeforeEach
    void setUp() throws IOException {
        proxy = FaultProxy.start(MOTO.peer().uri(), 20_250_601L);
        aws = Moto.open("aws", proxy.uri(), "apiCallAttemptTimeout", "PT2S", "readTimeout", "PT2S", "connectTimeout", "PT1S");
        RetryOptions retry = RetryOptions.defaults().withMaxAttempts(ATTEMPTS)
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 2.0);
        cache = new CachingSecretStore(new RetryingSecretStore(aws, retry, sleeps::add),
                new CacheOptions(TTL, MAX_STALE, BACKOFF_INITIAL, BACKOFF_MAX, null), clock, List.of());
        String prefix = "fault/" + UUID.randomUUID() + "/";
        for (int i = 0; i < SECRETS; i++) {
            String path = prefix + "s" + i;
            aws.put(path, SecretValue.ofUtf8("value-" + i), PutOptions.current());
            paths.add(path);
        }
        proxy.clear();
    }

    @AfterEach
    void tearDown() {
        proxy.fault(Fault.pass());
        for (String path : paths) {
            aws.delete(path);
        }
        cache.close();
        proxy.close();
    }

    /** Reads every secret through the stack; each must give its own value, without an error. */
    private void readAll() {
        for (int i = 0; i < SECRETS; i++) {
            Secret s = cache.get(paths.get(i), Selector.CURRENT);
            assertThat(s.value().asUtf8()).isEqualTo("value-" + i);
        }
    }

    private BackoffState backoff(String path) {
        return cache.backoff(path, Selector.CURRENT).orElseThrow(() -> new AssertionError("no backoff for " + path));
    }

    private static CacheStats minus(CacheStats a, CacheStats b) {
        return new CacheStats(a.hits() - b.hits(), a.misses() - b.misses(), a.staleServes() - b.staleServes(),
                a.loadFailures() - b.loadFailures(), a.size());
    }

    @Test
    void throttlingThenAnOutageAreCoveredByStaleValuesTheBackoffGrowsToItsCapAndReadsRecoverWithinOneStep() {
        // warm: one load per secret, each a GetSecretValue and a DescribeSecret
        readAll();
        assertThat(cache.stats().misses()).isEqualTo(SECRETS);
        assertThat(proxy.count(GET, Outcome.FORWARDED)).isEqualTo(SECRETS);
        assertThat(proxy.count(DESCRIBE, Outcome.FORWARDED)).isEqualTo(SECRETS);

        // 1. half of all requests throttled, for six TTLs
        proxy.clear();
        proxy.fault(Fault.awsThrottling(0.5));
        CacheStats before = cache.stats();
        int sleepsBefore = sleeps.size();
        for (int round = 0; round < 6; round++) {
            clock.advance(TTL.plus(BACKOFF_MAX)); // every entry expired, every backoff over
            readAll();
        }
        CacheStats throttled = minus(cache.stats(), before);
        long answered429 = proxy.count(Outcome.RESPONDED);
        assertThat(throttled.misses()).as("one load per secret per round").isEqualTo(6L * SECRETS);
        assertThat(throttled.loadFailures()).as("loads whose %d attempts were all throttled", ATTEMPTS).isPositive();
        assertThat(throttled.staleServes()).as("every failed load served the last good value").isEqualTo(throttled.loadFailures());
        assertThat(throttled.misses() - throttled.loadFailures()).as("loads that got through").isPositive();
        // an attempt ends at its first throttled request, and every failed attempt is retried after a
        // wait except the last attempt of a load that failed
        assertThat(answered429).isEqualTo(sleeps.size() - sleepsBefore + throttled.loadFailures());
        // DescribeSecret is the last call of a read, so it reaches moto exactly once per load that got through
        assertThat(proxy.count(DESCRIBE, Outcome.FORWARDED)).isEqualTo(throttled.misses() - throttled.loadFailures());
        LOG.info("throttling at 50%: {} loads, {} failed and served stale, {} answers 429, {} retries",
                throttled.misses(), throttled.loadFailures(), answered429, sleeps.size() - sleepsBefore);
        assertThat(sleeps.subList(sleepsBefore, sleeps.size())).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(40)));

        // 2. a full outage: first 500s, then connection resets
        readAllFresh();
        proxy.clear();
        proxy.fault(Fault.awsServerError(1.0));
        CacheStats outageStart = cache.stats();
        Instant expiredAt = cache.expiry(paths.get(0), Selector.CURRENT).orElseThrow();
        clock.set(latestExpiry().plusMillis(1));
        List<Duration> steps = new ArrayList<>();
        int loads = 0;
        for (int step = 0; step < 6; step++) {
            if (step == 2) {
                proxy.fault(Fault.reset(1.0));
            }
            readAll();
            loads += SECRETS;
            steps.add(backoff(paths.get(0)).step());
            for (String path : paths) {
                assertThat(backoff(path).step()).isEqualTo(steps.get(step));
            }
            // while backing off, reads are served from the cache without a request
            long seen = proxy.total();
            clock.advance(Duration.ofMillis(1));
            readAll();
            assertThat(proxy.total()).as("no request during the backoff").isEqualTo(seen);
            clock.set(latestNextAttempt());
        }
        assertThat(steps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8));
        CacheStats outage = minus(cache.stats(), outageStart);
        assertThat(outage.loadFailures()).isEqualTo(loads);
        assertThat(outage.staleServes()).as("each load failure and each read during a backoff served stale").isEqualTo(2L * loads);
        assertThat(proxy.count(Outcome.RESPONDED) + proxy.count(Outcome.RESET)).as("every attempt of every load, no more")
                .isEqualTo((long) ATTEMPTS * loads);
        assertThat(proxy.count(Outcome.RESET)).isEqualTo((long) ATTEMPTS * 4 * SECRETS);
        assertThat(proxy.count(Outcome.FORWARDED)).isZero();
        LOG.info("outage: backoff steps {}, {} loads failed, {} stale serves, {} requests refused", steps,
                outage.loadFailures(), outage.staleServes(), proxy.total());
        assertThat(clock.instant()).as("still within maxStale").isBefore(expiredAt.plus(MAX_STALE));

        // 3. moto is back: one backoff step later every read is fresh again
        proxy.clear();
        proxy.fault(Fault.pass());
        CacheStats beforeRecovery = cache.stats();
        clock.advance(BACKOFF_MAX);
        readAll();
        CacheStats recovery = minus(cache.stats(), beforeRecovery);
        assertThat(recovery.misses()).isEqualTo(SECRETS);
        assertThat(recovery.loadFailures()).isZero();
        assertThat(recovery.staleServes()).isZero();
        assertThat(paths).allSatisfy(p -> assertThat(cache.backoff(p, Selector.CURRENT)).isEmpty());
        assertThat(proxy.count(GET, Outcome.FORWARDED)).isEqualTo(SECRETS);
        assertThat(proxy.count(DESCRIBE, Outcome.FORWARDED)).isEqualTo(SECRETS);
        assertThat(proxy.total()).isEqualTo(2L * SECRETS);
    }

    @Test
    void pastMaxStaleAnOutageSurfacesAsARetryableUnavailability() {
        readAll();
        proxy.fault(Fault.awsServerError(1.0));
        clock.set(latestExpiry().plus(MAX_STALE).plusSeconds(1));

        for (String path : paths) {
            assertThatThrownBy(() -> cache.get(path, Selector.CURRENT))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .satisfies(e -> assertThat(((ProviderUnavailableException) e).isRetryable()).isTrue());
        }
        assertThat(proxy.count(Outcome.RESPONDED)).isEqualTo((long) ATTEMPTS * SECRETS);
    }

    @Test
    void slowAnswersTimeOutAsRetryableFailuresAndTheStaleValueCoversThem() {
        String path = paths.get(0);
        cache.get(path, Selector.CURRENT);
        proxy.clear();
        proxy.fault(Fault.slow(1.0, Duration.ofMillis(4000)));
        clock.set(latestExpiry().plusMillis(1));

        Secret s = cache.get(path, Selector.CURRENT);

        assertThat(s.value().asUtf8()).isEqualTo("value-0");
        assertThat(cache.stats().staleServes()).isEqualTo(1);
        assertThat(backoff(path).failures()).isEqualTo(1);
        assertThat(proxy.count(GET, Outcome.DELAYED)).as("one timed-out request per attempt").isEqualTo(ATTEMPTS);
    }

    /** Loads every secret again with no fault, so each entry starts the outage with a fresh value. */
    private void readAllFresh() {
        proxy.fault(Fault.pass());
        clock.set(latestNextAttempt().isAfter(latestExpiry()) ? latestNextAttempt() : latestExpiry().plusMillis(1));
        readAll();
        assertThat(paths).allSatisfy(p -> assertThat(cache.backoff(p, Selector.CURRENT)).isEmpty());
    }

    private Instant latestExpiry() {
        return paths.stream().flatMap(p -> cache.expiry(p, Selector.CURRENT).stream()).max(Instant::compareTo).orElseThrow();
    }

    private Instant latestNextAttempt() {
        return paths.stream().map(p -> cache.backoff(p, Selector.CURRENT).map(BackoffState::nextAttempt).orElse(clock.instant()))
                .max(Instant::compareTo).orElseThrow();
    }
}
