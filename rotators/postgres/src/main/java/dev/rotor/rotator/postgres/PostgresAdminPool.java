package dev.rotor.rotator.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.rotator.sql.AdminPools;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The HikariCP pool of admin connections to one PostgreSQL server. Several
 * {@link PostgresPasswordRotator}s for roles on the same server can share one pool, so that a
 * batch of many rotations opens at most {@link #maxSize()} admin connections however many roles
 * it covers.
 *
 * <p>The pool connects lazily: building it does no I/O, and an unreachable server shows up as a
 * failed PREPARE. Each new physical connection asks {@link AdminCredentials} for the login, so a
 * rotated admin password is picked up without a restart. Idle connections close after 30 s.
 *
 * <p>Thread-safe. {@link #close()} closes the pool; rotators using it then fail.
 */
public final class PostgresAdminPool implements AutoCloseable {

    private final String host;
    private final int port;
    private final String database;
    private final int maxSize;
    private final HikariDataSource pool;

    /** A pool to the server of {@code settings}, at most {@link PostgresRotatorSettings#poolSize()} connections. */
    public PostgresAdminPool(PostgresRotatorSettings settings, AdminCredentials credentials) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(credentials, "credentials");
        this.host = settings.host();
        this.port = settings.port();
        this.database = settings.database();
        this.maxSize = settings.poolSize();
        HikariConfig config = AdminPools.config("rotor-postgres-" + settings.host() + ":" + settings.port(), settings.poolSize(),
                settings.connectTimeout());
        config.setDataSource(new AdminDataSource(dataSource(settings, "rotor-admin"), credentials));
        this.pool = new HikariDataSource(config);
    }

    /** A data source for {@code settings}' server without a login, for admin and verification connections. */
    static PGSimpleDataSource dataSource(PostgresRotatorSettings s, String applicationName) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {s.host()});
        ds.setPortNumbers(new int[] {s.port()});
        ds.setDatabaseName(s.database());
        if (s.sslMode() != null) {
            ds.setSslMode(s.sslMode());
        }
        int connectSeconds = ceilSeconds(s.connectTimeout());
        ds.setConnectTimeout(connectSeconds);
        ds.setLoginTimeout(connectSeconds);
        ds.setSocketTimeout(ceilSeconds(s.queryTimeout()));
        ds.setApplicationName(applicationName);
        // PostgreSQL 10 or newer (SCRAM needs it): the driver then sends its session settings in
        // the startup packet instead of one more round trip per new connection.
        ds.setAssumeMinServerVersion("10");
        return ds;
    }

    private static int ceilSeconds(Duration d) {
        return (int) Math.max(1, (d.toMillis() + 999) / 1000);
    }

    /** True if this pool talks to the server and database {@code settings} name. */
    boolean serves(PostgresRotatorSettings settings) {
        return host.equals(settings.host()) && port == settings.port() && database.equals(settings.database());
    }

    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public int maxSize() {
        return maxSize;
    }

    /** Closes every connection. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresAdminPool[" + host + ":" + port + "/" + database + ", max " + maxSize + "]";
    }
}
