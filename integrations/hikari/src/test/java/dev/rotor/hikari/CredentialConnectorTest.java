package dev.rotor.hikari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.VersionInfo;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.TestClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connector HikariCP opens physical connections through: one version per connection, the
 * switch, the #1836 race, and the bounded re-read and retry after a refused login. The server
 * is a {@link FakeDatabase}; every password is a canary that must not appear in any log line or
 * exception.
 */
class CredentialConnectorTest {

    private static final String PATH = "db/app";
    private static final Duration INTERVAL = Duration.ofSeconds(5);

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final InMemorySecretStore memory = new InMemorySecretStore("mem");
    private final CountingStore store = new CountingStore(memory);
    private final FakeDatabase db = new FakeDatabase();
    private final TestClock clock = TestClock.startingNow();
    private final MetricRegistry registry = new MetricRegistry();
    private final AtomicInteger evictions = new AtomicInteger();

    private VersionInfo put(String user, Canary password, PutOptions options) {
        return memory.put(PATH, SecretValue.ofFields(Map.of("username", user, "password", password.text(), "host", "db.local")),
                options);
    }

    private CredentialConnector connector() {
        CredentialSource source = new CredentialSource(store, SecretRef.of("mem", PATH), "username", "password");
        CredentialConnector c = new CredentialConnector("test-pool", source, source.current(), db::connect, clock, INTERVAL,
                new PoolMetrics(registry, "test-pool"));
        c.attach(evictions::incrementAndGet);
        return c;
    }

    private long count(String name) {
        return registry.counter("rotor.hikari.test-pool." + name).getCount();
    }

    @Test
    void opensEachConnectionWithTheUserNameAndPasswordOfOneVersionAndSwitchesOnNotice() throws Exception {
        Canary p1 = leaks.canary();
        Canary p2 = leaks.canary();
        VersionInfo v1 = put("app_a", p1, PutOptions.current());
        db.account("app_a", p1.text()).account("app_b", p2.text());
        CredentialConnector connector = connector();

        Connection first = connector.getConnection();
        VersionInfo v2 = put("app_b", p2, PutOptions.current());
        Connection beforeNotice = connector.getConnection();
        connector.switchTo(v2.id(), "test");
        Connection afterNotice = connector.getConnection();

        assertThat(FakeDatabase.loginOf(first).username()).isEqualTo("app_a");
        assertThat(FakeDatabase.loginOf(beforeNotice).username()).as("no notice yet: the pool keeps its version").isEqualTo("app_a");
        assertThat(FakeDatabase.loginOf(afterNotice).username()).isEqualTo("app_b");
        assertThat(connector.versionId()).isEqualTo(v2.id());
        assertThat(evictions).as("softEvictConnections once, for the one switch").hasValue(1);
        assertThat(connector.isStale(first)).isTrue();
        assertThat(connector.isStale(beforeNotice)).isTrue();
        assertThat(connector.isStale(afterNotice)).isFalse();
        assertThat(count("credential-switches")).isEqualTo(1);
        assertThat(db.logins()).allMatch(FakeDatabase.Login::accepted);
        assertThat(v1.id()).isNotEqualTo(v2.id());
    }

    @Test
    void aNoticeForTheVersionInUseChangesNothing() throws Exception {
        Canary p1 = leaks.canary();
        VersionInfo v1 = put("app", p1, PutOptions.current());
        db.account("app", p1.text());
        CredentialConnector connector = connector();
        Connection c = connector.getConnection();

        connector.switchTo(v1.id(), "test");

        assertThat(evictions).hasValue(0);
        assertThat(connector.isStale(c)).isFalse();
    }

    @Test
    void userNameAndPasswordAreNeverMixedAcrossVersionsWhileSwitchesRace() throws Exception {
        // Version i holds user_i with password p_i; the server only lets user_i in with p_i.
        List<VersionInfo> versions = new ArrayList<>();
        List<Canary> passwords = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Canary p = leaks.canary();
            passwords.add(p);
            db.account("user_" + i, p.text());
            versions.add(put("user_" + i, p, PutOptions.current()));
        }
        memory.promote(PATH, versions.get(0).id(), null);
        CredentialConnector connector = connector();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> openers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                openers.add(pool.submit(() -> {
                    for (int n = 0; n < 200; n++) {
                        connector.getConnection().close();
                    }
                    return null;
                }));
            }
            for (int round = 0; round < 5; round++) {
                for (VersionInfo v : versions) {
                    connector.switchTo(v.id(), "test");
                }
            }
            for (Future<?> f : openers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(db.logins()).hasSizeGreaterThanOrEqualTo(600).allMatch(FakeDatabase.Login::accepted);
        assertThat(count("login-refusals")).isZero();
    }

    @Test
    void aConnectionOpenedWithTheOldVersionWhileTheSwitchHappensIsClosedAndOpenedAgain() throws Exception {
        Canary p1 = leaks.canary();
        Canary p2 = leaks.canary();
        put("app_a", p1, PutOptions.current());
        db.account("app_a", p1.text()).account("app_b", p2.text());
        CredentialConnector connector = connector();
        VersionInfo v2 = put("app_b", p2, PutOptions.current());
        CountDownLatch once = new CountDownLatch(1);
        // The switch lands while the server is still answering the login with the old version.
        db.beforeAnswer(login -> {
            if (once.getCount() == 1) {
                once.countDown();
                connector.switchTo(v2.id(), "test");
            }
        });

        Connection c = connector.getConnection();

        assertThat(FakeDatabase.loginOf(c).username()).isEqualTo("app_b");
        assertThat(connector.isStale(c)).isFalse();
        assertThat(db.logins()).extracting(FakeDatabase.Login::username).containsExactly("app_a", "app_b");
        assertThat(db.openConnections()).as("the connection with the old version was closed").containsExactly(c);
        assertThat(count("stale-connections-evicted")).isEqualTo(1);
    }

    @Test
    void aRefusedLoginDuringApplyIsRetriedOnceWithThePendingVersion() throws Exception {
        Canary oldPassword = leaks.canary();
        Canary newPassword = leaks.canary();
        put("app", oldPassword, PutOptions.current());
        db.account("app", oldPassword.text());
        CredentialConnector connector = connector();
        Connection before = connector.getConnection();
        // A single-user rotation between APPLY and PROMOTE: the server has the new password,
        // CURRENT still holds the old one, PENDING the new one.
        VersionInfo pending = put("app", newPassword, PutOptions.pending());
        db.account("app", newPassword.text());

        Connection c = connector.getConnection();

        assertThat(FakeDatabase.loginOf(c).password()).isEqualTo(newPassword.text());
        assertThat(connector.versionId()).isEqualTo(pending.id());
        assertThat(connector.isStale(before)).as("opened with a password the server no longer takes").isTrue();
        assertThat(evictions).hasValue(1);
        assertThat(store.versionLists).as("one re-read past the cache").hasValue(1);
        assertThat(count("login-refusals")).isEqualTo(1);
        assertThat(count("login-recoveries")).isEqualTo(1);
        assertThat(count("secret-rereads")).isEqualTo(1);

        // PROMOTE, then the notice: already in use, nothing more to do.
        memory.promote(PATH, pending.id(), null);
        connector.switchTo(pending.id(), "test");
        assertThat(evictions).hasValue(1);
    }

    @Test
    void aRefusedLoginAfterPromoteWithoutANoticeRetriesWithTheNewCurrentVersion() throws Exception {
        Canary p1 = leaks.canary();
        Canary p2 = leaks.canary();
        put("app_a", p1, PutOptions.current());
        db.account("app_a", p1.text()).account("app_b", p2.text());
        CredentialConnector connector = connector();
        VersionInfo v2 = put("app_b", p2, PutOptions.current());
        db.drop("app_a"); // the previous user was retired

        Connection c = connector.getConnection();

        assertThat(FakeDatabase.loginOf(c).username()).isEqualTo("app_b");
        assertThat(connector.versionId()).isEqualTo(v2.id());
    }

    @Test
    void aWrongPasswordCostsOneReReadAndOneRefusedLoginPerIntervalNoMatterHowManyAttempts() throws Exception {
        Canary wrong = leaks.canary();
        put("app", wrong, PutOptions.current());
        db.account("app", leaks.canary().text());
        CredentialConnector connector = connector();

        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(connector::getConnection)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("28"));
        }

        assertThat(store.versionLists).as("re-reads in the first interval").hasValue(1);
        assertThat(db.attemptsWith(wrong.text())).as("refused logins sent to the server in the first interval").isEqualTo(1);
        assertThat(count("logins-held-back")).isEqualTo(99);

        clock.advance(INTERVAL);
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(connector::getConnection).isInstanceOf(SQLException.class);
        }

        assertThat(store.versionLists).as("re-reads after two intervals").hasValue(2);
        assertThat(db.attemptsWith(wrong.text())).as("refused logins after two intervals").isEqualTo(2);
    }

    @Test
    void concurrentRefusedLoginsShareOneReRead() throws Exception {
        Canary wrong = leaks.canary();
        put("app", wrong, PutOptions.current());
        db.account("app", leaks.canary().text());
        CredentialConnector connector = connector();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Throwable>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    Throwable failure = null;
                    for (int n = 0; n < 50; n++) {
                        try {
                            connector.getConnection().close();
                        } catch (SQLException e) {
                            failure = e;
                        }
                    }
                    return failure;
                }));
            }
            start.countDown();
            for (Future<Throwable> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isInstanceOf(SQLException.class);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.versionLists).hasValue(1);
        assertThat(db.attemptsWith(wrong.text())).as("at most the attempts already under way when the first refusal came")
                .isBetween(1L, (long) threads);
    }

    @Test
    void whenTheRetryIsRefusedTooBothVersionsAreHeldBackUntilTheIntervalHasPassed() throws Exception {
        Canary p1 = leaks.canary();
        Canary p2 = leaks.canary();
        put("app", p1, PutOptions.current());
        put("app", p2, PutOptions.pending());
        db.account("app", leaks.canary().text());
        CredentialConnector connector = connector();

        assertThatThrownBy(connector::getConnection).isInstanceOf(SQLException.class);
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(connector::getConnection).isInstanceOf(SQLException.class);
        }

        assertThat(db.attemptsWith(p1.text())).isEqualTo(1);
        assertThat(db.attemptsWith(p2.text())).isEqualTo(1);
        assertThat(store.versionLists).hasValue(1);
    }

    @Test
    void otherFailuresAreNotTreatedAsRefusedLogins() throws Exception {
        Canary p1 = leaks.canary();
        put("app", p1, PutOptions.current());
        CredentialSource source = new CredentialSource(store, SecretRef.of("mem", PATH), "username", "password");
        CredentialConnector connector = new CredentialConnector("test-pool", source, source.current(), (u, p) -> {
            throw new SQLException("connection refused", "08001");
        }, clock, INTERVAL, new PoolMetrics(registry, "test-pool"));

        assertThatThrownBy(connector::getConnection).isInstanceOf(SQLException.class).hasMessage("connection refused");

        assertThat(store.versionLists).hasValue(0);
        assertThat(count("login-refusals")).isZero();
    }

    @Test
    void mySqlAccessDeniedCountsAsARefusedLogin() {
        assertThat(AuthFailures.isAuthFailure(new SQLException("Access denied for user", "28000", 1045))).isTrue();
        assertThat(AuthFailures.isAuthFailure(new SQLException("Access denied", "HY000", 1045))).isTrue();
        assertThat(AuthFailures.isAuthFailure(new SQLException("wrapped", new SQLException("refused", "28P01")))).isTrue();
        assertThat(AuthFailures.isAuthFailure(new SQLException("timeout", "08001"))).isFalse();
        assertThat(AuthFailures.isAuthFailure(new SQLException("unknown database", "42000", 1049))).isFalse();
    }

    @Test
    void toStringNamesTheRefAndVersionOnly() {
        Canary p1 = leaks.canary();
        VersionInfo v1 = put("secret_user_name", p1, PutOptions.current());
        CredentialConnector connector = connector();

        assertThat(connector.toString()).contains("secret://mem/db/app", v1.id()).doesNotContain("secret_user_name");
        assertThat(new CredentialSource(store, SecretRef.of("mem", PATH), "username", "password").current().toString())
                .doesNotContain("secret_user_name");
    }
}
