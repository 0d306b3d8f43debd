package dev.rotor.audit.postgres;

import dev.rotor.audit.AuditEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the audit tables. The events table holds one row per event; the mark table two rows:
 * {@code head} (the last seq and hash written) and {@code anchor} (the last seq and hash pruned,
 * 0 and zeros before the first pruning), each with an optional HMAC. Table names are validated
 * identifiers ({@link PostgresAuditOptions}), so they are safe to splice into SQL.
 */
final class PostgresAuditSchema {

    /** A mark row, or the seq and hash of an event row. */
    record Mark(long seq, String hash, @Nullable String mac) {}

    private final String table;
    private final String markTable;

    PostgresAuditSchema(String table, String markTable) {
        this.table = table;
        this.markTable = markTable;
    }

    String table() {
        return table;
    }

    /** Creates the tables and the mark rows if missing; safe to run from several nodes at once. */
    void create(Connection c, @Nullable String headMac, @Nullable String anchorMac, Instant now) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            // Serialise concurrent creators: CREATE TABLE IF NOT EXISTS alone can still collide on the catalog.
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                ps.setString(1, "rotor-audit-schema:" + table);
                ps.execute();
            }
            PostgresAuditSink.execute(c, "CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "seq BIGINT PRIMARY KEY, "
                    + "prev CHAR(64) NOT NULL, "
                    + "hash CHAR(64) NOT NULL, "
                    + "recorded_at TIMESTAMPTZ NOT NULL, "
                    + "event_time TIMESTAMPTZ NOT NULL, "
                    + "actor TEXT NOT NULL, "
                    + "action TEXT NOT NULL, "
                    + "store TEXT NOT NULL, "
                    + "path TEXT NOT NULL, "
                    + "version_id TEXT, "
                    + "outcome TEXT NOT NULL, "
                    + "request_id TEXT NOT NULL, "
                    + "record TEXT NOT NULL)");
            PostgresAuditSink.execute(c, "CREATE INDEX IF NOT EXISTS " + indexName("recorded_at") + " ON " + table
                    + " (recorded_at)");
            PostgresAuditSink.execute(c, "CREATE TABLE IF NOT EXISTS " + markTable + " ("
                    + "kind TEXT PRIMARY KEY CHECK (kind IN ('head', 'anchor')), "
                    + "seq BIGINT NOT NULL, "
                    + "hash CHAR(64) NOT NULL, "
                    + "updated_at TIMESTAMPTZ NOT NULL, "
                    + "mac CHAR(64))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + markTable
                    + " (kind, seq, hash, updated_at, mac) VALUES (?, 0, ?, ?, ?) ON CONFLICT (kind) DO NOTHING")) {
                for (String kind : new String[] {PostgresAuditSink.HEAD, PostgresAuditSink.ANCHOR}) {
                    ps.setString(1, kind);
                    ps.setString(2, "0".repeat(64));
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setString(4, kind.equals(PostgresAuditSink.HEAD) ? headMac : anchorMac);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private String indexName(String column) {
        String bare = table.substring(table.indexOf('.') + 1);
        return bare + "_" + column + "_idx";
    }

    /** Reads a mark, locking its row for the transaction. */
    Mark lockMark(Connection c, String kind) throws SQLException {
        return mark(c, kind, true);
    }

    Mark mark(Connection c, String kind, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash, mac FROM " + markTable + " WHERE kind = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the " + kind + " row of " + markTable + " is missing: the table was altered");
                }
                return new Mark(rs.getLong(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    void updateMark(Connection c, String kind, long seq, String hash, Instant now, @Nullable String mac) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + markTable
                + " SET seq = ?, hash = ?, updated_at = ?, mac = ? WHERE kind = ?")) {
            ps.setLong(1, seq);
            ps.setString(2, hash);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setString(4, mac);
            ps.setString(5, kind);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the " + kind + " row of " + markTable + " is missing: the table was altered");
            }
        }
    }

    String insertRow() {
        return "INSERT INTO " + table + " (seq, prev, hash, recorded_at, event_time, actor, action, store, path, version_id,"
                + " outcome, request_id, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    static void bindRow(PreparedStatement ps, long seq, String prev, String hash, Timestamp recordedAt, AuditEvent e,
            String record) throws SQLException {
        ps.setLong(1, seq);
        ps.setString(2, prev);
        ps.setString(3, hash);
        ps.setTimestamp(4, recordedAt);
        ps.setTimestamp(5, Timestamp.from(PostgresAuditSink.micros(e.time()))); // truncated, not rounded by the server
        ps.setString(6, e.actor());
        ps.setString(7, e.action().name());
        ps.setString(8, e.store());
        ps.setString(9, e.path());
        ps.setString(10, e.versionId());
        ps.setString(11, e.outcome().name());
        ps.setString(12, e.requestId());
        ps.setString(13, record);
    }

    /** The newest row written before {@code cutoff}, or null. */
    @Nullable Mark lastRowBefore(Connection c, Timestamp cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM " + table + " WHERE seq = (SELECT max(seq) FROM "
                + table + " WHERE recorded_at < ?)")) {
            ps.setTimestamp(1, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Mark(rs.getLong(1), rs.getString(2), null) : null;
            }
        }
    }

    long deleteUpTo(Connection c, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE seq <= ?")) {
            ps.setLong(1, seq);
            return ps.executeLargeUpdate();
        }
    }

    /** Every row in seq order, for the verifier (the caller turns autocommit off so that rows stream). */
    PreparedStatement selectAll(Connection c) throws SQLException {
        PreparedStatement ps = c.prepareStatement("SELECT seq, prev, hash, event_time, actor, action, store, path, version_id,"
                + " outcome, request_id, record FROM " + table + " ORDER BY seq");
        ps.setFetchSize(1000);
        return ps;
    }
}
