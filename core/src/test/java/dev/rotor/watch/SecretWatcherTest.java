package dev.rotor.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.DecoratedSecretStore;
import dev.rotor.store.SecretStoreBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SecretWatcherTest {

    private static final String CANARY = "canary-4f1d-never-log-me";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final InMemorySecretStore backend = new InMemorySecretStore("main", CLOCK);
    private final FlakyStore flaky = new FlakyStore(backend);
    private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger rotorLogger = (Logger) LoggerFactory.getLogger("dev.rotor");
    private Level previousLevel;
    private SecretWatcher watcher;

    @BeforeEach
    void captureLogs() {
        previousLevel = rotorLogger.getLevel();
        rotorLogger.setLevel(Level.TRACE);
        logs.start();
        rotorLogger.addAppender(logs);
    }

    @AfterEach
    void release() {
        if (watcher != null) {
            watcher.close();
        }
        rotorLogger.detachAppender(logs);
        rotorLogger.setLevel(previousLevel);
    }

    /** A store that fails every call while {@code failing} is set. */
    static final class FlakyStore extends ForwardingSecretStore {
        volatile boolean failing;
        final AtomicInteger versionReads = new AtomicInteger();

        FlakyStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public List<VersionInfo> versions(String path) {
            versionReads.incrementAndGet();
            if (failing) {
                throw new ProviderUnavailableException("backend down", true, null, null);
            }
            return super.versions(path);
        }
    }

    private SecretWatcher watcherOn(SecretStore store) {
        watcher = SecretWatcher.builder(name -> name.equals(store.name()) ? store : null)
                .pollInterval(Duration.ofHours(1)).clock(CLOCK).build();
        return watcher;
    }

    private VersionInfo rotate(String path, String value) {
        VersionInfo v = backend.put(path, SecretValue.ofUtf8(value), PutOptions.pending());
        return backend.promote(path, v.id(), null);
    }

    @Test
    void aPromotedVersionReachesTheListenerWithThePreviousAndTheCurrentVersion() {
        VersionInfo v1 = backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        watcherOn(backend).watch(SecretRef.parse("secret://main/db/app#password"), changes::add);

        watcher.checkNow();
        assertThat(changes).isEmpty();

        VersionInfo v2 = rotate("db/app", "two");
        watcher.checkNow();
        watcher.checkNow();

        assertThat(changes).hasSize(1);
        SecretChange c = changes.get(0);
        assertThat(c.ref().path()).isEqualTo("db/app");
        assertThat(c.previous().id()).isEqualTo(v1.id());
        assertThat(c.current().id()).isEqualTo(v2.id());
        assertThat(c.current().has(Stage.CURRENT)).isTrue();
    }

    @Test
    void aPendingRefIsToldWhenAPendingVersionAppearsWithNoPreviousVersion() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        watcherOn(backend).watch(SecretRef.of("main", "db/app").withSelector(Selector.stage(Stage.PENDING)), changes::add);

        VersionInfo pending = backend.put("db/app", SecretValue.ofUtf8("two"), PutOptions.pending());
        watcher.checkNow();

        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.previous()).isNull();
            assertThat(c.current().id()).isEqualTo(pending.id());
        });
    }

    @Test
    void aChangeDropsTheCachedValueBeforeTheListenerReadsIt() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        DecoratedSecretStore cached = SecretStoreBuilder.on(backend).clock(CLOCK).cache(CacheOptions.defaults()).build();
        assertThat(cached.get("db/app").value().asUtf8()).isEqualTo("one");
        List<String> readByListener = new CopyOnWriteArrayList<>();
        watcherOn(cached).watch(SecretRef.of("main", "db/app"), c -> readByListener.add(cached.get("db/app").value().asUtf8()));

        rotate("db/app", "two"); // behind the cache's back, as the daemon does
        assertThat(cached.get("db/app").value().asUtf8()).isEqualTo("one");
        watcher.checkNow();

        assertThat(readByListener).containsExactly("two");
        assertThat(cached.get("db/app").value().asUtf8()).isEqualTo("two");
    }

    @Test
    void pollsOfADecoratedStoreAreNotAuditedButTheListenersReadIs() {
        backend.put("db/app", SecretValue.ofUtf8(CANARY), PutOptions.current());
        AuditSink sink = new AuditSink() {
            @Override
            public void append(AuditEvent event) {
                audited.add(event);
            }

            @Override
            public String describe() {
                return "list";
            }

            @Override
            public void close() {}
        };
        DecoratedSecretStore store = SecretStoreBuilder.on(backend).clock(CLOCK).audit(sink, AuditOptions.defaults()).build();
        watcherOn(store).watch(SecretRef.of("main", "db/app"), c -> store.get("db/app", Selector.version(c.current().id())));
        for (int i = 0; i < 10; i++) {
            watcher.checkNow();
        }
        assertThat(audited).isEmpty();

        rotate("db/app", CANARY + "-2");
        watcher.checkNow();

        assertThat(audited).extracting(AuditEvent::action).containsExactly(AuditAction.GET);
    }

    @Test
    void aFailingListenerIsLoggedWithoutItsMessageAndTheOthersAreStillCalled() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        List<SecretChange> second = new CopyOnWriteArrayList<>();
        watcherOn(backend).watch(SecretRef.of("main", "db/app"), c -> {
            throw new IllegalStateException("listener saw " + CANARY);
        });
        watcher.watch(SecretRef.of("main", "db/app"), second::add);

        rotate("db/app", CANARY);
        watcher.checkNow();

        assertThat(second).hasSize(1);
        assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("listener of secret://main/db/app failed with java.lang.IllegalStateException"));
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(CANARY));
    }

    @Test
    void aFailingStoreIsNotFollowedUntilACheckSucceedsAndNothingIsThrown() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        MetricRegistry metrics = new MetricRegistry();
        watcher = SecretWatcher.builder(name -> flaky).pollInterval(Duration.ofHours(1)).clock(CLOCK).metrics(metrics).build();
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        SecretRef ref = SecretRef.of("main", "db/app");
        watcher.watch(ref, changes::add);

        flaky.failing = true;
        VersionInfo v2 = rotate("db/app", "two");
        watcher.checkNow();
        watcher.checkNow();

        assertThat(changes).isEmpty();
        assertThat(watcher.notFollowed()).containsExactly(ref);
        assertThat(((Gauge<?>) metrics.getGauges().get("rotor.watch.refs.notFollowed")).getValue()).isEqualTo(1);
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("not followed"));

        flaky.failing = false;
        watcher.checkNow();

        assertThat(watcher.notFollowed()).isEmpty();
        assertThat(changes).singleElement().satisfies(c -> assertThat(c.current().id()).isEqualTo(v2.id()));
    }

    @Test
    void whenTheFirstReadFailsTheFirstGoodCheckSetsTheStartingPointWithoutACall() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        flaky.failing = true;
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        watcher = SecretWatcher.builder(name -> flaky).pollInterval(Duration.ofHours(1)).build();
        watcher.watch(SecretRef.of("main", "db/app"), changes::add);

        flaky.failing = false;
        watcher.checkNow();
        assertThat(changes).isEmpty();

        rotate("db/app", "two");
        watcher.checkNow();
        assertThat(changes).hasSize(1);
    }

    @Test
    void refsOfOnePathShareOneVersionReadPerCheck() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        watcher = SecretWatcher.builder(name -> flaky).pollInterval(Duration.ofHours(1)).build();
        watcher.watch(SecretRef.parse("secret://main/db/app#username"), c -> {});
        watcher.watch(SecretRef.parse("secret://main/db/app#password"), c -> {});
        watcher.watch(SecretRef.parse("secret://main/db/app?stage=previous"), c -> {});
        int afterWatch = flaky.versionReads.get();

        watcher.checkNow();

        assertThat(flaky.versionReads.get() - afterWatch).isEqualTo(1);
    }

    @Test
    void aClosedSubscriptionIsNotCalledAgain() {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        Subscription s = watcherOn(backend).watch(SecretRef.of("main", "db/app"), changes::add);
        rotate("db/app", "two");
        watcher.checkNow();
        s.close();
        rotate("db/app", "three");
        watcher.checkNow();

        assertThat(changes).hasSize(1);
    }

    @Test
    void thePollFindsAChangeOnItsOwn() throws InterruptedException {
        backend.put("db/app", SecretValue.ofUtf8("one"), PutOptions.current());
        CountDownLatch told = new CountDownLatch(1);
        watcher = SecretWatcher.builder(name -> backend).pollInterval(Duration.ofMillis(20)).build();
        watcher.watch(SecretRef.of("main", "db/app"), c -> told.countDown());

        rotate("db/app", "two");

        assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void delaysStayWithinTheJitterAndBackOffUpToTheCap() {
        watcher = SecretWatcher.builder(name -> backend).pollInterval(Duration.ofSeconds(30)).jitter(0.2).build();
        for (int i = 0; i < 200; i++) {
            assertThat(watcher.delay(0)).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
            assertThat(watcher.delay(1)).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(72));
            assertThat(watcher.delay(30)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(6));
        }
    }

    @Test
    void anUnknownStoreIsAConfigurationError() {
        watcherOn(backend);
        assertThatThrownBy(() -> watcher.watch(SecretRef.of("other", "db/app"), c -> {}))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("other");
    }

    @Test
    void theBuilderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> SecretWatcher.builder(name -> backend).pollInterval(Duration.ZERO).jitter(1.5)
                .events(java.net.URI.create("ftp://daemon/v1/events"), null).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.field())
                        .containsExactly("watch.pollInterval", "watch.jitter", "watch.events.url", "watch.events.token"));
    }

    @Test
    void aChangeHoldsNoValue() {
        backend.put("db/app", SecretValue.ofFields(Map.of("password", CANARY)), PutOptions.current());
        List<SecretChange> changes = new CopyOnWriteArrayList<>();
        watcherOn(backend).watch(SecretRef.of("main", "db/app"), changes::add);
        rotate("db/app", CANARY + "2");
        watcher.checkNow();

        assertThat(changes).singleElement().satisfies(c -> assertThat(c.toString()).doesNotContain(CANARY));
    }
}
