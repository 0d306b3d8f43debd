package dev.rotor.daemon.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.quartz.utils.ConnectionProvider;

/** Quartz's connections from a HikariCP pool; the pool is the caller's and is closed at {@link #shutdown()}. */
public final class HikariConnectionProvider implements ConnectionProvider {

    private final HikariDataSource pool;

    public HikariConnectionProvider(HikariDataSource pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void shutdown() {
        pool.close();
    }

    @Override
    public void initialize() {
        // the pool is built and validated before Quartz starts
    }
}
