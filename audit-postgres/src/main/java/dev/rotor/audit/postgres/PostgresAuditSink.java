package dev.rotor.audit.postgres;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.AuditUnavailableException;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditEventCodec;
import dev.rotor.audit.AuditSink;
import dev.rotor.internal.audit.Completion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AuditSink} that writes to a PostgreSQL table, hash-chained like
 * {@link dev.rotor.audit.JsonlAuditSink}: each row holds the event's columns and its
 * {@code record}, the exact line the file sink would write
 * ({@code {"seq":N,"prev":"<hash of row N-1>",<event fields>}}), and {@code hash}, the SHA-256 of
 * that record. {@link #verify()} recomputes the chain.
 *
 * <p><b>Durability (group commit).</b> {@link #append} returns only after the transaction holding
 * the event has committed. Appenders queue their events and wait; one writer thread takes what is
 * queued (at most {@link PostgresAuditOptions#maxBatch()} events), inserts it in one transaction
 * with one batched statement, commits, and releases every caller of the batch.
 *
 * <p><b>Several writers.</b> The chain's head (last seq and hash, HMAC-signed with the key) is a
 * row of {@code <table>_mark}; each batch locks it ({@code SELECT ... FOR UPDATE}), so sinks on
 * several nodes writing to one table form one chain, one batch after another. The head also lets
 * {@link #verify()} notice rows cut off the end.
 *
 * <p><b>Failure (fail closed).</b> If the connection, an insert or the commit fails, every
 * {@code append} of the batch throws {@link AuditUnavailableException} and the caller must refuse
 * the access. (When the commit itself fails on the wire its outcome is unknown: the rows may be
 * there.) The next batch tries again with a new connection. After {@link #close()} every append
 * throws.
 *
 * <p><b>Retention.</b> Every {@link PostgresAuditOptions#pruneEvery()} rows written longer than
 * {@link PostgresAuditOptions#retention()} ago are deleted, after the seq and hash of the last
 * of them are recorded in the signed anchor row, where {@link #verify()} starts the chain.
 *
 * <p>Thread-safe: any number of threads may append concurrently. The sink does not own the
 * {@link DataSource} unless it was opened from a {@link PostgresAuditConfig}.
 */
public final class PostgresAuditSink implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditSink.class);
    private static final String ZERO_HASH = "0".repeat(64);
    private static final HexFormat HEX = HexFormat.of();
    static final String HEAD = "head";
    static final String ANCHOR = "anchor";

    /** The name of the gauge {@link #registerQueueDepthGauge} registers. */
    public static final String QUEUE_DEPTH_GAUGE = "rotor.audit.postgres.queue.depth";

    /** One caller's events, waiting for the writer. */
    private static final class Pending extends Completion {
        final List<AuditEvent> events;
        final List<byte[]> bodies;

        Pending(List<AuditEvent> events, List<byte[]> bodies) {
            this.events = events;
            this.bodies = bodies;
        }
    }

    private final DataSource dataSource;
    private final PostgresAuditOptions options;
    private final byte @Nullable [] key;
    private final @Nullable AutoCloseable owned;
    private final PostgresAuditSchema sql;
    private final Thread writer;
    private final ScheduledExecutorService pruner;

    // Guards the queue and the closed flag only; no database call happens while it is held.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private List<Pending> queue = new ArrayList<>();
    private int queuedEvents;
    private boolean closed;

    // Confined to the writer thread.
    private boolean failing;
    private final MessageDigest digest = sha256();

    private PostgresAuditSink(DataSource dataSource, PostgresAuditOptions options, @Nullable AutoCloseable owned) {
        this.dataSource = dataSource;
        this.options = options;
        this.key = options.key();
        this.owned = owned;
        this.sql = new PostgresAuditSchema(options.table(), options.markTable());
        this.writer = Thread.ofPlatform().daemon().name("rotor-audit-postgres-writer").unstarted(this::runWriter);
        this.pruner = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("rotor-audit-postgres-pruner").unstarted(r));
    }

    /**
     * Creates the tables if missing and starts the writer and the pruning schedule. The data
     * source stays the caller's.
     *
     * @throws AuditUnavailableException if the database cannot be reached or the schema not created
     */
    public static PostgresAuditSink open(DataSource dataSource, PostgresAuditOptions options) {
        return open(dataSource, options, null);
    }

    static PostgresAuditSink open(DataSource dataSource, PostgresAuditOptions options, @Nullable AutoCloseable owned) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        PostgresAuditSink sink = new PostgresAuditSink(dataSource, options, owned);
        try (Connection c = dataSource.getConnection()) {
            sink.sql.create(c, sink.mac(HEAD, 0, ZERO_HASH), sink.mac(ANCHOR, 0, ZERO_HASH), options.clock().instant());
        } catch (SQLException | RuntimeException e) {
            sink.pruner.shutdownNow();
            throw new AuditUnavailableException("cannot open the PostgreSQL audit table " + options.table() + ": " + e, e);
        }
        sink.writer.start();
        long every = options.pruneEvery().toMillis();
        sink.pruner.scheduleWithFixedDelay(sink::pruneQuietly, every, every, TimeUnit.MILLISECONDS);
        LOG.debug("PostgreSQL audit sink on table {} opened", options.table());
        return sink;
    }

    // ---- appending ------------------------------------------------------------------------------

    /**
     * Appends one event and returns once its transaction has committed.
     *
     * @throws AuditUnavailableException if it could not be recorded (the cause says why), or the
     *     sink is closed
     */
    @Override
    public void append(AuditEvent event) {
        enqueueAndWait(List.of(event), List.of(AuditEventCodec.toJsonBytes(event)));
    }

    /** Appends the events as consecutive rows in one transaction, and returns once it committed. */
    @Override
    public void appendAll(List<AuditEvent> events) {
        List<byte[]> bodies = new ArrayList<>(events.size());
        for (AuditEvent e : events) {
            bodies.add(AuditEventCodec.toJsonBytes(e));
        }
        if (!bodies.isEmpty()) {
            enqueueAndWait(List.copyOf(events), bodies);
        }
    }

    private void enqueueAndWait(List<AuditEvent> events, List<byte[]> bodies) {
        Pending pending = new Pending(events, bodies);
        lock.lock();
        try {
            if (closed) {
                throw new AuditUnavailableException("PostgreSQL audit sink " + options.table() + " is closed", null);
            }
            queue.add(pending);
            queuedEvents += bodies.size();
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
        Throwable failure = pending.await();
        if (failure != null) {
            throw new AuditUnavailableException("PostgreSQL audit table " + options.table() + ": could not record "
                    + bodies.size() + (bodies.size() == 1 ? " event" : " events") + " (" + failure
                    + "); the access must be refused, the next append retries", failure);
        }
    }

    @Override
    public String describe() {
        return "postgres:" + options.table();
    }

    /** Events queued and not yet taken by the writer. */
    public int queuedEvents() {
        lock.lock();
        try {
            return queuedEvents;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers {@link #QUEUE_DEPTH_GAUGE}: the events waiting for the writer. A growing queue
     * means the database is slow or unreachable and appenders are waiting.
     *
     * @throws IllegalArgumentException if the registry already has a metric of that name
     */
    public void registerQueueDepthGauge(MetricRegistry registry) {
        registry.register(QUEUE_DEPTH_GAUGE, (Gauge<Integer>) this::queuedEvents);
    }

    /** The options the sink was opened with. */
    public PostgresAuditOptions options() {
        return options;
    }

    /**
     * Writes everything queued, stops pruning and, if the sink opened its own pool, closes it.
     * Appends after this throw {@link AuditUnavailableException}. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        pruner.shutdown();
        try {
            if (!pruner.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("PostgreSQL audit table {}: a pruning pass is still running at close", options.table());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.warn("PostgreSQL audit table {}: closing the connection pool failed: {}", options.table(), e.toString());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the writer thread ----------------------------------------------------------------------

    private void runWriter() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (true) {
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        workAvailable.awaitUninterruptibly();
                    }
                    if (queue.isEmpty()) {
                        break;
                    }
                    int taken = 0;
                    while (!queue.isEmpty() && (taken == 0 || taken + queue.get(0).bodies.size() <= options.maxBatch())) {
                        Pending p = queue.remove(0);
                        batch.add(p);
                        taken += p.bodies.size();
                    }
                    queuedEvents -= taken;
                } finally {
                    lock.unlock();
                }
                writeBatch(batch);
                batch.clear();
            }
        } catch (Throwable t) {
            // Only an Error (out of memory, a bug) gets here: fail whatever waits, refuse new appends.
            LOG.error("PostgreSQL audit table {}: writer thread failed; the sink is closed", options.table(), t);
            finishAll(batch, t);
            failAllQueued(t);
            throw t;
        }
    }

    private void writeBatch(List<Pending> batch) {
        int events = batch.stream().mapToInt(p -> p.bodies.size()).sum();
        Throwable failure = null;
        long lastSeq = -1;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lastSeq = insert(c, batch);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
        if (failure == null) {
            if (failing) {
                failing = false;
                LOG.info("PostgreSQL audit table {}: writing works again (seq {})", options.table(), lastSeq);
            }
        } else if (!failing) {
            failing = true;
            LOG.warn("PostgreSQL audit table {}: writing {} event(s) failed; they are refused and the next batch retries",
                    options.table(), events, failure);
        } else {
            LOG.warn("PostgreSQL audit table {}: writing {} event(s) failed again: {}", options.table(), events, failure.toString());
        }
        finishAll(batch, failure);
    }

    /** Inserts the batch after the head (locked for the transaction) and moves the head; returns the last seq. */
    private long insert(Connection c, List<Pending> batch) throws SQLException {
        PostgresAuditSchema.Mark head = sql.lockMark(c, HEAD);
        long seq = head.seq();
        String prev = head.hash();
        Instant now = options.clock().instant();
        Timestamp recordedAt = Timestamp.from(now);
        try (PreparedStatement ps = c.prepareStatement(sql.insertRow())) {
            for (Pending p : batch) {
                for (int i = 0; i < p.bodies.size(); i++) {
                    byte[] body = p.bodies.get(i);
                    seq++;
                    byte[] prefix = ("{\"seq\":" + seq + ",\"prev\":\"" + prev + "\",").getBytes(StandardCharsets.US_ASCII);
                    byte[] line = new byte[prefix.length + body.length - 1];
                    System.arraycopy(prefix, 0, line, 0, prefix.length);
                    System.arraycopy(body, 1, line, prefix.length, body.length - 1); // the event object without its '{'
                    String hash = HEX.formatHex(digest.digest(line));
                    PostgresAuditSchema.bindRow(ps, seq, prev, hash, recordedAt, p.events.get(i),
                            new String(line, StandardCharsets.UTF_8));
                    ps.addBatch();
                    prev = hash;
                }
            }
            ps.executeBatch();
        }
        sql.updateMark(c, HEAD, seq, prev, now, mac(HEAD, seq, prev));
        return seq;
    }

    private static void finishAll(List<Pending> batch, @Nullable Throwable failure) {
        for (Pending p : batch) {
            p.finish(failure);
        }
    }

    private void failAllQueued(Throwable failure) {
        lock.lock();
        try {
            closed = true;
            for (Pending p : queue) {
                p.finish(failure);
            }
            queue.clear();
            queuedEvents = 0;
        } finally {
            lock.unlock();
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", e.toString());
        }
    }

    // ---- pruning --------------------------------------------------------------------------------

    /**
     * Deletes the rows written before {@code now - retention}, after recording the seq and hash of
     * the last of them in the anchor, in one transaction. Runs on its own every
     * {@link PostgresAuditOptions#pruneEvery()}; appends go on meanwhile (they lock the head, pruning
     * the anchor).
     *
     * @return the number of rows deleted
     * @throws AuditUnavailableException if the database failed
     */
    public long pruneNow() {
        Instant now = options.clock().instant();
        Instant cutoff = now.minus(options.retention());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                PostgresAuditSchema.Mark anchor = sql.lockMark(c, ANCHOR);
                PostgresAuditSchema.Mark last = sql.lastRowBefore(c, Timestamp.from(cutoff));
                if (last == null || last.seq() <= anchor.seq()) {
                    c.commit();
                    return 0;
                }
                sql.updateMark(c, ANCHOR, last.seq(), last.hash(), now, mac(ANCHOR, last.seq(), last.hash()));
                long deleted = sql.deleteUpTo(c, last.seq());
                c.commit();
                if (deleted > 0) {
                    LOG.info("PostgreSQL audit table {}: pruned {} row(s) up to seq {} (older than {})", options.table(), deleted,
                            last.seq(), options.retention());
                }
                return deleted;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw new AuditUnavailableException("PostgreSQL audit table " + options.table() + ": pruning failed: " + e, e);
        }
    }

    private void pruneQuietly() {
        try {
            pruneNow();
        } catch (RuntimeException e) {
            LOG.warn("PostgreSQL audit table {}: pruning failed; will retry in {}: {}", options.table(), options.pruneEvery(),
                    e.toString());
        }
    }

    // ---- verifying ------------------------------------------------------------------------------

    /**
     * Checks the table with this sink's key: see
     * {@link #verify(DataSource, String, byte[])}.
     */
    public PostgresAuditVerification verify() {
        return verify(dataSource, options.table(), key);
    }

    /**
     * Checks an audit table: the chain from the anchor (or seq 1) through every row in seq order
     * (no gaps; each {@code prev} is the hash of the row before; each {@code hash} is the SHA-256
     * of the row's {@code record}; the record decodes to an event whose columns match), and that
     * the last row is the signed head. With a key, the HMACs of the head and the anchor are
     * checked. Problems are reported, never thrown; reads the table once in seq order.
     *
     * @throws AuditUnavailableException if the table cannot be read at all
     */
    public static PostgresAuditVerification verify(DataSource dataSource, String table, byte @Nullable [] key) {
        PostgresAuditOptions checked = PostgresAuditOptions.defaults().withTable(table);
        try (Connection c = dataSource.getConnection()) {
            return new PostgresAuditVerifier(new PostgresAuditSchema(checked.table(), checked.markTable()), key).verify(c);
        } catch (SQLException e) {
            throw new AuditUnavailableException("cannot read the PostgreSQL audit table " + table + ": " + e, e);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The HMAC of a mark, or null without a key. */
    private @Nullable String mac(String kind, long seq, String hash) {
        return key == null ? null : macOf(key, options.table(), kind, seq, hash);
    }

    static String macOf(byte[] key, String table, String kind, long seq, String hash) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            String signed = "rotor-audit-postgres-mark/1\n" + table + "\n" + kind + "\n" + seq + "\n" + hash;
            return HEX.formatHex(hmac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform provides HmacSHA256", e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Timestamps keep microseconds in PostgreSQL. */
    static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    static void execute(Connection c, String statement) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static @Nullable String string(ResultSet rs, String column) throws SQLException {
        return rs.getString(column);
    }
}
