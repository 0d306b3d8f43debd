package dev.rotor.daemon.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Quartz's tables on PostgreSQL if they are missing, from the script the Quartz jar ships
 * (its DROP statements left out), with the configured table prefix. Several nodes starting at once
 * serialize on a PostgreSQL advisory lock, and the check is repeated under it.
 */
public final class QuartzSchema {

    private static final Logger LOG = LoggerFactory.getLogger(QuartzSchema.class);
    private static final String SCRIPT = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    // An arbitrary constant naming Rotor's schema lock among the database's advisory locks.
    private static final long LOCK_ID = 0x526f746f72L;

    private QuartzSchema() {}

    /** @return whether the tables were created */
    public static boolean applyIfMissing(DataSource ds, String tablePrefix) throws SQLException {
        try (Connection c = ds.getConnection()) {
            if (exists(c, tablePrefix)) {
                return false;
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                // A session lock taken before the transaction that checks again: that transaction
                // then starts after another node's creating transaction has committed.
                s.execute("SELECT pg_advisory_lock(" + LOCK_ID + ")");
                try {
                    c.setAutoCommit(false);
                    if (exists(c, tablePrefix)) {
                        c.rollback();
                        return false;
                    }
                    for (String sql : statements(tablePrefix)) {
                        s.execute(sql);
                    }
                    c.commit();
                    LOG.info("created the Quartz tables ({}*)", tablePrefix);
                    return true;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                    s.execute("SELECT pg_advisory_unlock(" + LOCK_ID + ")");
                }
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Reads the catalog table itself (an MVCC snapshot), not the backend's relation cache. */
    private static boolean exists(Connection c, String prefix) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?)")) {
            ps.setString(1, (prefix + "LOCKS").toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static List<String> statements(String prefix) {
        String script;
        try (InputStream in = QuartzSchema.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("the Quartz jar has no " + SCRIPT);
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCRIPT, e);
        }
        StringBuilder body = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                body.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        for (String stmt : body.toString().split(";")) {
            String s = stmt.strip();
            String upper = s.toUpperCase(Locale.ROOT);
            if (s.isEmpty() || upper.startsWith("DROP ") || upper.equals("COMMIT")) {
                continue;
            }
            out.add(s.replace("QRTZ_", prefix).replace("qrtz_", prefix.toLowerCase(Locale.ROOT)));
        }
        return out;
    }
}
