package dev.rotor.rotator.sql;

import com.zaxxer.hikari.HikariConfig;
import java.time.Duration;

/**
 * The HikariCP settings every SQL rotator's admin pool shares. Rotations are rare, so the pool
 * holds no idle connection between them; it opens none when built (no I/O there: an unreachable
 * server shows as a failed PREPARE). The caller adds how to connect. Stateless.
 */
public final class AdminPools {

    /** How long an unused admin connection stays open. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    // HikariCP's own default; it may not exceed the connection timeout.
    private static final long MAX_VALIDATION_MILLIS = 5_000;

    private AdminPools() {}

    /**
     * A pool configuration without a connection source.
     *
     * @param name the pool's name, seen in HikariCP's logs and thread names
     * @param maxSize the most connections open at once
     * @param connectTimeout how long to wait for a connection; at least 250 ms
     */
    public static HikariConfig config(String name, int maxSize, Duration connectTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(0);
        config.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        config.setConnectionTimeout(connectTimeout.toMillis());
        config.setValidationTimeout(Math.min(connectTimeout.toMillis(), MAX_VALIDATION_MILLIS));
        // Do not connect here: an unreachable server must fail PREPARE, not construction.
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        return config;
    }
}
