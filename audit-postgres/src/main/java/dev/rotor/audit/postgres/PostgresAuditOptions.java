package dev.rotor.audit.postgres;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link PostgresAuditSink} writes.
 *
 * @param table the events table, optionally schema-qualified ({@code audit.rotor_audit}); the sink
 *     also uses {@code <table>_mark} for the signed head and anchor
 * @param retention how long rows are kept (by the time the sink wrote them); default 90 days
 * @param pruneEvery how often rows older than {@code retention} are deleted; default one hour
 * @param maxBatch the most events written in one transaction
 * @param key the HMAC-SHA256 key (at least 16 bytes) signing the head and the anchor, or null for
 *     unsigned marks; the record keeps its own copy and never prints it
 * @param clock the time source for row times and the retention
 */
public record PostgresAuditOptions(
        String table, Duration retention, Duration pruneEvery, int maxBatch, byte @Nullable [] key, Clock clock) {

    public static final String DEFAULT_TABLE = "rotor_audit";
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);
    public static final Duration DEFAULT_PRUNE_EVERY = Duration.ofHours(1);
    public static final int DEFAULT_MAX_BATCH = 1000;
    public static final int MIN_KEY_BYTES = 16;

    // Lowercase identifiers only, so that they never need quoting; 58 leaves room for "_mark".
    private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]{0,57}\\.)?[a-z_][a-z0-9_]{0,57}");

    public PostgresAuditOptions {
        List<ConfigProblem> problems = new ArrayList<>();
        if (table == null || !TABLE.matcher(table).matches()) {
            problems.add(new ConfigProblem("table", "must be a lowercase identifier of at most 58 characters"
                    + " (letters, digits, _), optionally schema.table"));
        }
        if (retention == null || retention.isNegative() || retention.isZero()) {
            problems.add(new ConfigProblem("retention", "must be positive"));
        }
        if (pruneEvery == null || pruneEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add(new ConfigProblem("pruneEvery", "must be at least 1s"));
        }
        if (maxBatch < 1 || maxBatch > 10_000) {
            problems.add(new ConfigProblem("maxBatch", "must be between 1 and 10000"));
        }
        if (key != null && key.length < MIN_KEY_BYTES) {
            problems.add(new ConfigProblem("key", "must be at least " + MIN_KEY_BYTES + " bytes, or absent"));
        }
        if (clock == null) {
            problems.add(new ConfigProblem("clock", "is required"));
        }
        InvalidConfigurationException.throwIfAny(problems);
        key = key == null ? null : key.clone();
    }

    /** Table {@code rotor_audit}, 90 days, pruned hourly, batches of up to 1000, unsigned, the UTC clock. */
    public static PostgresAuditOptions defaults() {
        return new PostgresAuditOptions(DEFAULT_TABLE, DEFAULT_RETENTION, DEFAULT_PRUNE_EVERY, DEFAULT_MAX_BATCH, null,
                Clock.systemUTC());
    }

    /** A copy of the key, or null. */
    @Override
    public byte @Nullable [] key() {
        return key == null ? null : key.clone();
    }

    public PostgresAuditOptions withTable(String newTable) {
        return new PostgresAuditOptions(newTable, retention, pruneEvery, maxBatch, key, clock);
    }

    public PostgresAuditOptions withRetention(Duration newRetention) {
        return new PostgresAuditOptions(table, newRetention, pruneEvery, maxBatch, key, clock);
    }

    public PostgresAuditOptions withPruneEvery(Duration every) {
        return new PostgresAuditOptions(table, retention, every, maxBatch, key, clock);
    }

    public PostgresAuditOptions withMaxBatch(int max) {
        return new PostgresAuditOptions(table, retention, pruneEvery, max, key, clock);
    }

    public PostgresAuditOptions withKey(byte @Nullable [] newKey) {
        return new PostgresAuditOptions(table, retention, pruneEvery, maxBatch, newKey, clock);
    }

    public PostgresAuditOptions withClock(Clock newClock) {
        return new PostgresAuditOptions(table, retention, pruneEvery, maxBatch, key, newClock);
    }

    /** The table holding the head and the anchor. */
    String markTable() {
        return table + "_mark";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostgresAuditOptions other
                && table.equals(other.table)
                && retention.equals(other.retention)
                && pruneEvery.equals(other.pruneEvery)
                && maxBatch == other.maxBatch
                && Arrays.equals(key, other.key)
                && clock.equals(other.clock);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, retention, pruneEvery, maxBatch, Arrays.hashCode(key), clock);
    }

    @Override
    public String toString() {
        return "PostgresAuditOptions[table=" + table + ", retention=" + retention + ", pruneEvery=" + pruneEvery
                + ", maxBatch=" + maxBatch + ", key=" + (key == null ? "none" : "<masked>") + ", clock=" + clock + "]";
    }
}
