package dev.rotor.hikari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.util.Credentials;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.VersionInfo;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.testkit.Await;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.watch.SecretWatcher;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RotatingDataSource} as a HikariCP pool (a real one) over a {@link FakeDatabase}: the
 * builder's checks, switching on {@link RotatingDataSource#refresh()}, the refused setters and
 * what it shows of itself. The real databases are in the integration tests.
 */
class RotatingDataSourceTest {

    private static final SecretRef REF = SecretRef.parse("secret://mem/db/app");

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final InMemorySecretStore store = new InMemorySecretStore("mem");
    private final FakeDatabase db = new FakeDatabase();
    private final MetricRegistry registry = new MetricRegistry();
    private final List<RotatingDataSource> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(RotatingDataSource::close);
    }

    private VersionInfo put(String user, Canary password) {
        return store.put(REF.path(), SecretValue.ofFields(Map.of("username", user, "password", password.text())), PutOptions.current());
    }

    private static HikariConfig poolConfig() {
        HikariConfig c = new HikariConfig();
        c.setPoolName("unit");
        c.setMinimumIdle(2);
        c.setMaximumPoolSize(4);
        c.setConnectionTimeout(2_000);
        return c;
    }

    private RotatingDataSource build(RotatingDataSource.Builder builder) {
        RotatingDataSource ds = builder.build();
        pools.add(ds);
        return ds;
    }

    private RotatingDataSource.Builder builder() {
        return RotatingDataSource.builder().credentials(REF, store).pool(poolConfig()).dataSource(db).metricRegistry(registry);
    }

    @Test
    void connectionsUseTheCurrentVersionAndARefreshSwitchesEveryNewBorrowToTheNewOne() throws Exception {
        Canary p1 = leaks.canary();
        Canary p2 = leaks.canary();
        VersionInfo v1 = put("app_a", p1);
        db.account("app_a", p1.text()).account("app_b", p2.text());
        RotatingDataSource ds = build(builder());
        List<Connection> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            before.add(ds.getConnection());
        }
        assertThat(before).allSatisfy(c -> assertThat(FakeDatabase.loginOf(c.unwrap(Connection.class)).username()).isEqualTo("app_a"));
        assertThat(ds.credentialVersion()).isEqualTo(v1.id());

        VersionInfo v2 = put("app_b", p2);
        ds.refresh();
        for (Connection c : before) {
            c.close();
        }
        List<Connection> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            after.add(ds.getConnection());
        }

        assertThat(ds.credentialVersion()).isEqualTo(v2.id());
        assertThat(after).allSatisfy(c -> assertThat(FakeDatabase.loginOf(c.unwrap(Connection.class)).username()).isEqualTo("app_b"));
        for (Connection c : after) {
            c.close();
        }
        assertThat(registry.counter("rotor.hikari.unit.credential-switches").getCount()).isEqualTo(1);
    }

    @Test
    void aWatcherNoticeSwitchesThePoolAndClosingThePoolEndsTheSubscription() throws Exception {
        Canary p1 = leaks.canary();
        Canary p2 = leaks.canary();
        Canary p3 = leaks.canary();
        put("app_a", p1);
        db.account("app_a", p1.text()).account("app_b", p2.text()).account("app_c", p3.text());
        // A long poll interval: the test drives the checks with checkNow().
        try (SecretWatcher watcher = SecretWatcher.builder(name -> store).pollInterval(Duration.ofHours(1)).build()) {
            RotatingDataSource ds = build(builder().watcher(watcher));
            Connection held = ds.getConnection();

            VersionInfo v2 = put("app_b", p2);
            watcher.checkNow();

            assertThat(ds.credentialVersion()).isEqualTo(v2.id());
            try (Connection c = ds.getConnection()) {
                assertThat(FakeDatabase.loginOf(c.unwrap(Connection.class)).username()).isEqualTo("app_b");
            }
            Connection heldRaw = held.unwrap(Connection.class);
            held.close();
            // HikariCP closes it on its own executor: wait for that.
            Await.that("a busy connection of the old version to be closed once returned")
                    .until(Duration.ofSeconds(10), () -> db.openConnections().stream().noneMatch(heldRaw::equals));

            ds.close();
            put("app_c", p3);
            watcher.checkNow();
            assertThat(ds.credentialVersion()).as("no longer following").isEqualTo(v2.id());
        }
    }

    @Test
    void aRefreshWithoutANewVersionKeepsThePoolAsItIs() throws Exception {
        Canary p1 = leaks.canary();
        put("app", p1);
        db.account("app", p1.text());
        RotatingDataSource ds = build(builder());
        Connection c = ds.getConnection();
        Connection raw = c.unwrap(Connection.class);
        c.close();

        ds.refresh();
        Connection again = ds.getConnection();

        assertThat(again.unwrap(Connection.class)).isSameAs(raw);
        again.close();
    }

    @Test
    void theBuilderReportsEveryProblemAtOnce() {
        HikariConfig template = new HikariConfig();
        template.setUsername("someone");
        template.addDataSourceProperty("password", "x");
        RotatingDataSource.Builder b = RotatingDataSource.builder()
                .pool(template)
                .usernameField(" ")
                .passwordField("")
                .authRetryInterval(Duration.ofMillis(1));

        assertThatThrownBy(b::build)
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactlyInAnyOrder("credentials", "usernameField", "passwordField", "pool.username",
                                "pool.dataSourceProperties.password", "jdbcUrl", "authRetryInterval"));
    }

    @Test
    void theRefMustNameTheWholeSecretFollowCurrentAndMatchTheStore() {
        assertThatThrownBy(() -> RotatingDataSource.builder()
                        .credentials(SecretRef.parse("secret://other/db/app#password?stage=previous"), store)
                        .jdbcUrl("jdbc:postgresql://localhost/app")
                        .build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::message)
                        .hasSize(3)
                        .anySatisfy(m -> assertThat(m).contains("not field 'password'"))
                        .anySatisfy(m -> assertThat(m).contains("must follow CURRENT"))
                        .anySatisfy(m -> assertThat(m).contains("store 'other'")));
    }

    @Test
    void aMissingSecretOrMissingFieldsFailTheBuildNamingTheRefOnly() {
        assertThatThrownBy(() -> build(builder())).isInstanceOf(SecretNotFoundException.class);

        Canary p = leaks.canary();
        store.put(REF.path(), SecretValue.ofFields(Map.of("user", "app", "pass", p.text())), PutOptions.current());
        assertThatThrownBy(() -> build(builder()))
                .isInstanceOf(RotorException.class)
                .hasMessageContaining("secret://mem/db/app")
                .hasMessageContaining("'username' and 'password'");
    }

    @Test
    void customFieldNames() throws Exception {
        Canary p = leaks.canary();
        store.put(REF.path(), SecretValue.ofFields(Map.of("user", "app", "pass", p.text())), PutOptions.current());
        db.account("app", p.text());
        RotatingDataSource ds = build(builder().usernameField("user").passwordField("pass"));

        try (Connection c = ds.getConnection()) {
            assertThat(FakeDatabase.loginOf(c.unwrap(Connection.class)).username()).isEqualTo("app");
        }
    }

    @Test
    void credentialSettersAreRefusedAndNothingShowsAValue() {
        Canary p = leaks.canary();
        VersionInfo v = put("the_user", p);
        db.account("the_user", p.text());
        RotatingDataSource ds = build(builder());

        assertThatThrownBy(() -> ds.setPassword(p.text())).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("secret://mem/db/app");
        assertThatThrownBy(() -> ds.setUsername("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ds.setCredentials(Credentials.of("x", "y"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ds.setCredentialsProvider(() -> Credentials.of("x", "y")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(ds.toString()).contains("unit", "secret://mem/db/app", v.id()).doesNotContain("the_user");
        assertThat(ds.getUsername()).isNull();
        assertThat(ds.getPassword()).isNull();
        assertThat(registry.getNames()).isNotEmpty().allSatisfy(n -> assertThat(n).startsWith("rotor.hikari.unit.").doesNotContain("the_user"));
        assertThat(ds.credentialsRef()).isEqualTo(REF);
    }
}
