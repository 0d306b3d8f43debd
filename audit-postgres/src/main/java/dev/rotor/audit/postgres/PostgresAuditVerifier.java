package dev.rotor.audit.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditEventCodec;
import dev.rotor.audit.AuditVerification.CheckpointStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Checks one audit table in one read-only snapshot. Not thread-safe: one per verification. */
final class PostgresAuditVerifier {

    /** At most this many problems are listed; the rest are only counted. */
    static final int MAX_PROBLEMS = 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PostgresAuditSchema schema;
    private final byte @Nullable [] key;
    private final List<String> problems = new ArrayList<>();
    private long unlisted;
    private final MessageDigest digest = PostgresAuditSink.sha256();

    PostgresAuditVerifier(PostgresAuditSchema schema, byte @Nullable [] key) {
        this.schema = schema;
        this.key = key == null ? null : key.clone();
    }

    PostgresAuditVerification verify(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
            PostgresAuditSchema.Mark anchor = schema.mark(c, PostgresAuditSink.ANCHOR, false);
            PostgresAuditSchema.Mark head = schema.mark(c, PostgresAuditSink.HEAD, false);
            CheckpointStatus anchorStatus = status(PostgresAuditSink.ANCHOR, anchor);
            CheckpointStatus headStatus = status(PostgresAuditSink.HEAD, head);
            long expected = anchor.seq() + 1;
            String prevHash = anchor.hash();
            long rows = 0;
            try (PreparedStatement ps = schema.selectAll(c); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    long seq = rs.getLong("seq");
                    boolean inOrder = seq == expected;
                    if (!inOrder) {
                        long gap = seq - expected;
                        add("seq " + seq + ": seq " + expected + " expected (" + gap + (gap == 1 ? " row was" : " rows were")
                                + " deleted before it" + (expected == anchor.seq() + 1 && anchor.seq() > 0
                                        ? ", after the rows pruned up to the anchor's seq " + anchor.seq() : "") + ")");
                    }
                    String record = Objects.requireNonNullElse(rs.getString("record"), "");
                    String hash = rs.getString("hash");
                    if (!PostgresAuditSink.hex(digest.digest(record.getBytes(StandardCharsets.UTF_8))).equals(hash)) {
                        add("seq " + seq + ": its record does not match its hash column: the row was edited");
                    }
                    String prev = rs.getString("prev");
                    if (inOrder && !prevHash.equals(prev)) {
                        add("seq " + seq + ": its prev does not match the hash of " + (seq - 1 == anchor.seq() && anchor.seq() > 0
                                ? "the last pruned row, recorded in the anchor" : "seq " + (seq - 1))
                                + ": that row or this one was edited");
                    }
                    checkRecord(rs, seq, prev, record);
                    // Chain on the hash column: an edited record is reported above, not again on the next row.
                    prevHash = Objects.requireNonNullElse(hash, "");
                    expected = seq + 1;
                }
            }
            long lastSeq = expected - 1;
            if (head.seq() > lastSeq) {
                add("head: it records seq " + head.seq() + " but the table ends at seq " + lastSeq
                        + ": rows were cut off its end");
            } else if (head.seq() < lastSeq) {
                add("head: it records seq " + head.seq() + " but the table goes on to seq " + lastSeq
                        + ": rows were added outside the sink");
            } else if (!head.hash().equals(prevHash)) {
                add("seq " + lastSeq + ": its hash differs from the one the head records: the last row was edited");
            }
            c.commit();
            return new PostgresAuditVerification(problems.isEmpty() && unlisted == 0, rows, anchor.seq() + 1, lastSeq,
                    problems, unlisted, headStatus, anchorStatus);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private CheckpointStatus status(String kind, PostgresAuditSchema.Mark mark) {
        if (key == null) {
            return mark.mac() == null ? CheckpointStatus.UNSIGNED : CheckpointStatus.SIGNED_NOT_CHECKED;
        }
        if (mark.mac() == null) {
            // Before any pruning the anchor is the unsigned start only if the sink ran without a key.
            add(kind + ": unsigned although a key was given: anyone who can write the table could have written it");
            return CheckpointStatus.UNSIGNED;
        }
        String expected = PostgresAuditSink.macOf(key, schema.table(), kind, mark.seq(), mark.hash());
        if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), mark.mac().getBytes(StandardCharsets.US_ASCII))) {
            return CheckpointStatus.VERIFIED;
        }
        add(kind + ": its HMAC does not match the key (forged, altered, or signed with another key); it claims seq " + mark.seq());
        return CheckpointStatus.INVALID;
    }

    /** The record holds the same seq and prev as the columns and an event whose fields the columns repeat. */
    private void checkRecord(ResultSet rs, long seq, @Nullable String prev, String record) throws SQLException {
        JsonNode node;
        try {
            node = JSON.readTree(record);
        } catch (JsonProcessingException e) {
            add("seq " + seq + ": its record is not valid JSON: the row was edited");
            return;
        }
        if (node == null || !node.isObject()) {
            add("seq " + seq + ": its record is not a JSON object: the row was edited");
            return;
        }
        JsonNode seqNode = node.get("seq");
        JsonNode prevNode = node.get("prev");
        if (seqNode == null || seqNode.asLong(-1) != seq || prevNode == null || !Objects.equals(prevNode.textValue(), prev)) {
            add("seq " + seq + ": the seq or prev inside its record differs from its columns: the row was edited");
        }
        switch (AuditEventCodec.decode(node, Set.of("seq", "prev"))) {
            case AuditEventCodec.Decoded.Valid valid -> checkColumns(rs, seq, valid.event());
            case AuditEventCodec.Decoded.Invalid invalid ->
                    add("seq " + seq + ": its record is not a valid audit event (" + String.join("; ", invalid.problems()) + ")");
        }
    }

    private void checkColumns(ResultSet rs, long seq, AuditEvent e) throws SQLException {
        List<String> differ = new ArrayList<>();
        compare(differ, "actor", e.actor(), rs.getString("actor"));
        compare(differ, "action", e.action().name(), rs.getString("action"));
        compare(differ, "store", e.store(), rs.getString("store"));
        compare(differ, "path", e.path(), rs.getString("path"));
        compare(differ, "version_id", e.versionId(), rs.getString("version_id"));
        compare(differ, "outcome", e.outcome().name(), rs.getString("outcome"));
        compare(differ, "request_id", e.requestId(), rs.getString("request_id"));
        Timestamp time = rs.getTimestamp("event_time");
        if (time == null || !PostgresAuditSink.micros(e.time()).equals(PostgresAuditSink.micros(time.toInstant()))) {
            differ.add("event_time");
        }
        if (!differ.isEmpty()) {
            add("seq " + seq + ": column" + (differ.size() == 1 ? " " : "s ") + String.join(", ", differ)
                    + (differ.size() == 1 ? " differs" : " differ") + " from its record: the row was edited");
        }
    }

    private static void compare(List<String> differ, String column, @Nullable String inRecord, @Nullable String inColumn) {
        if (!Objects.equals(inRecord, inColumn)) {
            differ.add(column);
        }
    }

    private void add(String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        } else {
            unlisted++;
        }
    }
}
