package dev.rotor.examples;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

/**
 * The embedded PostgreSQL of the demos, set up as docs/rotator-postgres.md describes for the
 * alternating-users layout: a group role {@code app}, two login roles {@code app_a} (with a
 * password) and {@code app_b} (idle until an alternating rotation gives it one) taking turns, and
 * an admin role {@code rotor_admin} that may alter just those two. Logins need a password
 * (SCRAM-SHA-256) and only the loopback address listens. The passwords are random, made here.
 *
 * <p>Not thread-safe to start or close; the getters may be read from any thread.
 */
final class DemoDatabase implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final EmbeddedPostgres pg;
    private final String adminPassword = randomPassword();
    private final String appPassword = randomPassword();

    private DemoDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /**
     * Starts the server (its output appended to {@code log}) and sets it up.
     *
     * @param setUpSql further statements the demo needs, run as the superuser before logins need a password
     */
    static DemoDatabase start(Path log, String... setUpSql) throws IOException, SQLException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        DemoDatabase db = new DemoDatabase(pg);
        try {
            db.setUp(setUpSql);
        } catch (Exception e) {
            pg.close();
            throw e;
        }
        return db;
    }

    int port() {
        return pg.getPort();
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
    }

    /** The password of {@code rotor_admin}. */
    String adminPassword() {
        return adminPassword;
    }

    /** The first password of {@code app_a}. */
    String appPassword() {
        return appPassword;
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }

    private void setUp(String... setUpSql) throws IOException, SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE app NOLOGIN");
            s.execute("CREATE ROLE app_a LOGIN IN ROLE app PASSWORD '" + appPassword + "'");
            s.execute("CREATE ROLE app_b NOLOGIN IN ROLE app");
            s.execute("CREATE ROLE rotor_admin LOGIN CREATEROLE PASSWORD '" + adminPassword + "'");
            s.execute("GRANT app_a, app_b TO rotor_admin WITH ADMIN OPTION");
            for (String sql : setUpSql) {
                s.execute(sql);
            }
            s.execute("ALTER ROLE postgres PASSWORD '" + randomPassword() + "'");
            String hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            Files.writeString(Path.of(hba), """
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """, StandardCharsets.UTF_8);
            s.execute("SELECT pg_reload_conf()");
        }
        // pg_reload_conf() only signals the server: wait until a wrong password is refused.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (canLogin(url(), "app_a", "wrong")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL still accepts any password after reloading pg_hba.conf");
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** True if {@code user} can log in with {@code password}. */
    static boolean canLogin(String url, String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(url, p)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** 32 random bytes in URL-safe Base64: no quoting needed in SQL, JDBC URLs or shells. */
    static String randomPassword() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "p" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
