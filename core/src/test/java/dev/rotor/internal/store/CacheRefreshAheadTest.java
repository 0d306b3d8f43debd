package dev.rotor.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.audit.AuditContext;
import dev.rotor.store.CacheOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CacheRefreshAheadTest {

    private static final Duration TTL = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final RecordingSink audit = new RecordingSink();
    private CachingSecretStore cache = new CachingSecretStore(backend,
            new CacheOptions(TTL, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(8), null), clock, List.of());

    @AfterEach
    void close() {
        cache.close();
    }

    private void seed(String value) {
        backend.backing().put("app/db", SecretValue.ofUtf8(value), PutOptions.current());
    }

    /** The background reload runs on its own thread: wait for what it publishes. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** Moves the clock to {@code fraction} of the way from the entry's load to its expiry. */
    private void moveInto(double fraction) {
        Instant loaded = cache.loadedAt("app/db", Selector.CURRENT).orElseThrow();
        Instant expiry = cache.expiry("app/db", Selector.CURRENT).orElseThrow();
        long life = expiry.toEpochMilli() - loaded.toEpochMilli();
        clock.set(Instant.ofEpochMilli(loaded.toEpochMilli() + (long) (life * fraction)));
    }

    @Test
    void aHitNearTheEndGetsTheFreshValueAndStartsExactlyOneBackgroundReload() throws InterruptedException {
        seed("one");
        cache.get("app/db");
        seed("two");
        moveInto(0.9);
        ScriptedStore.Gate gate = backend.gateGets("app/db");

        for (int i = 0; i < 100; i++) {
            assertThat(cache.get("app/db").value().asUtf8()).isEqualTo("one"); // never waits for the held reload
        }
        gate.awaitEntered();
        assertThat(backend.calls("get")).isEqualTo(2);
        gate.release();

        awaitTrue(() -> cache.get("app/db").value().asUtf8().equals("two"));
        assertThat(backend.calls("get")).isEqualTo(2);
        assertThat(cache.loadedAt("app/db", Selector.CURRENT)).hasValue(clock.instant());
    }

    @Test
    void earlierInTheLifetimeAHitLoadsNothing() {
        seed("one");
        cache.get("app/db");
        moveInto(0.75);

        cache.get("app/db");

        assertThat(backend.calls("get")).isEqualTo(1);
    }

    @Test
    void turnedOffTheLastMomentsOfAnEntryLoadNothing() {
        cache.close();
        cache = new CachingSecretStore(backend, CacheOptions.defaults().withTtl(TTL).withRefreshAhead(0), clock, List.of());
        seed("one");
        cache.get("app/db");
        moveInto(0.99);

        cache.get("app/db");

        assertThat(backend.calls("get")).isEqualTo(1);
    }

    @Test
    void aFailedReloadKeepsTheFreshValueAndBacksOffBeforeTryingAgain() throws InterruptedException {
        seed("one");
        Secret first = cache.get("app/db");
        moveInto(0.9);
        backend.failNext("get", new ProviderUnavailableException("backend answered 503", true, null));

        assertThat(cache.get("app/db")).isSameAs(first);
        awaitTrue(() -> cache.backoff("app/db", Selector.CURRENT).isPresent());
        for (int i = 0; i < 10; i++) {
            assertThat(cache.get("app/db")).isSameAs(first);
        }

        assertThat(backend.calls("get")).isEqualTo(2);
    }

    @Test
    void theReloadIsDoneAsTheReaderThatStartedIt() throws InterruptedException {
        CachingSecretStore audited;
        AuditingSecretStore layer = new AuditingSecretStore(backend, audit, dev.rotor.store.AuditOptions.defaults(), clock, false);
        cache.close();
        cache = audited = new CachingSecretStore(layer, CacheOptions.defaults().withTtl(TTL), clock, List.of());
        seed("one");
        audited.get("app/db");
        moveInto(0.9);

        AuditContext.runAs("billing", "req-1", () -> audited.get("app/db"));

        List<dev.rotor.audit.AuditEvent> gets = audit.await(dev.rotor.audit.AuditAction.GET, 2, Duration.ofSeconds(10));
        assertThat(gets.get(1).actor()).isEqualTo("billing");
        assertThat(gets.get(1).requestId()).isEqualTo("req-1");
    }
}
