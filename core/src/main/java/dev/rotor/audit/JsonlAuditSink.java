package dev.rotor.audit;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.internal.audit.Completion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AuditSink} that writes a tamper-evident, hash-chained JSON-lines file. Each line is one
 * event:
 *
 * <pre>{"seq":7,"prev":"&lt;hex SHA-256 of line 6&gt;","time":"…","actor":"…",…,"firstTime":"…"}</pre>
 *
 * {@code seq} counts from 1 and continues across reopening the file; {@code prev} is the SHA-256 of
 * the previous line's bytes (without its line end), 64 zeros on the first line. The event fields
 * follow in {@link AuditEventCodec} form. {@link AuditLogVerifier} checks the chain.
 *
 * <p><b>Durability (group commit).</b> {@link #append} returns only after the event's line has been
 * written and fsynced ({@link FileChannel#force}). Concurrent appenders are batched: they queue
 * their encoded events and wait; one writer thread takes everything queued, writes it with one
 * write and fsyncs once, then releases every caller of that batch. The queue lock is held only to
 * add or take events, never during I/O. With {@link Options#fsync()} off the write still happens
 * before {@code append} returns, but a power loss may lose it.
 *
 * <p><b>Failure (fail closed).</b> If the write or the fsync fails, every {@code append} of that
 * batch throws {@link AuditUnavailableException} with the I/O error as its cause, and the caller
 * must refuse the access it was recording. Such events may or may not be on disk. The sink stays
 * open: the next batch writes from the end of the last durable batch again (cutting off anything a
 * failed batch left behind, and reopening the file if its channel was closed), so appends succeed
 * again once the disk recovers. After {@link #close()} every append throws.
 *
 * <p><b>Recovery on open.</b> The sink reads the end of the file to continue the chain. A last line
 * without a line end can only come from a crash during a write that was never acknowledged; it is
 * cut off, with a WARN naming the file, the line number and the byte offset, before anything is
 * appended. If the last complete line is not an audit record, or the checkpoint shows the file was
 * cut short or altered at its end, {@code open} refuses with {@link AuditUnavailableException}
 * rather than append to a log that would then hide the damage.
 *
 * <p><b>Checkpoints.</b> Beside the log, {@code <file>.checkpoint} records the last durable seq,
 * its line's hash and the time, with an HMAC-SHA256 when {@link Options#checkpointKey()} is set;
 * it is replaced atomically (temporary file, fsync, rename, fsync of the directory). A checkpoint is
 * written after a batch once {@link Options#checkpointEvery()} has passed since the last one (or after
 * every batch with {@link Options#EVERY_BATCH}), before that batch's appenders return; when the log
 * has been quiet for {@code checkpointEvery} with lines not yet covered; and on close. So with
 * {@code EVERY_BATCH} every append that returned is covered by the checkpoint. A failed
 * checkpoint write is logged and retried later; it does not fail appends, whose events are already
 * durable. Only one sink may have a file open: the file is locked while open.
 *
 * <p><b>Rollover and retention.</b> With {@link Options#rollover()}, before a batch the writer
 * renames a file that reached its size or day to {@code <file>.<its first seq>} and starts a new
 * {@code <file>}; the chain continues (the new file's first line links to the old file's last), so
 * {@link AuditLogVerifier#verifyLog} checks all files as one. {@link Options#retention()} then
 * compresses or deletes rolled-over files once old, on a thread of its own; deleting first writes
 * the signed anchor {@code <file>.anchor} with the last seq and hash deleted, where the chain of
 * what remains starts.
 *
 * <p>Thread-safe: any number of threads may append concurrently; {@code close} may be called from
 * any thread and waits for queued events to be written.
 */
public final class JsonlAuditSink implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(JsonlAuditSink.class);
    private static final long MAX_GATHER_NANOS = 200_000;

    /** Opens the log file for reading and writing; a test substitutes one that fails on demand. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path file) throws IOException;
    }

    static final ChannelOpener DEFAULT_OPENER = file ->
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

    /**
     * How the sink writes.
     *
     * @param checkpointKey the HMAC-SHA256 key that signs checkpoints (at least 16 bytes), or null
     *     to write them unsigned; the record keeps its own copy and never prints it
     * @param checkpointEvery the least time between checkpoints; {@link #EVERY_BATCH} (zero) writes
     *     one after every batch
     * @param fsync whether each batch is fsynced before its appenders return (default true)
     * @param clock the time source for checkpoint times and intervals, days and file ages
     * @param rollover when to start a new file ({@link AuditRollover#NEVER} by default)
     * @param retention what happens to rolled-over files once old ({@link AuditRetention#DEFAULT}:
     *     compressed after 90 days)
     */
    public record Options(byte @Nullable [] checkpointKey, Duration checkpointEvery, boolean fsync, Clock clock,
            AuditRollover rollover, AuditRetention retention) {

        /** A {@code checkpointEvery} that writes a checkpoint after every batch. */
        public static final Duration EVERY_BATCH = Duration.ZERO;
        public static final int MIN_KEY_BYTES = 16;
        public static final Duration DEFAULT_CHECKPOINT_EVERY = Duration.ofSeconds(1);
        public static final Duration MAX_CHECKPOINT_EVERY = Duration.ofDays(1);

        public Options {
            List<ConfigProblem> problems = new ArrayList<>();
            if (checkpointKey != null && checkpointKey.length < MIN_KEY_BYTES) {
                problems.add(new ConfigProblem("checkpointKey", "must be at least " + MIN_KEY_BYTES + " bytes, or absent"));
            }
            if (checkpointEvery == null) {
                problems.add(new ConfigProblem("checkpointEvery", "is required (Options.EVERY_BATCH for every batch)"));
            } else if (checkpointEvery.isNegative() || checkpointEvery.compareTo(MAX_CHECKPOINT_EVERY) > 0) {
                problems.add(new ConfigProblem("checkpointEvery", "must be between zero (every batch) and " + MAX_CHECKPOINT_EVERY));
            }
            if (clock == null) {
                problems.add(new ConfigProblem("clock", "is required"));
            }
            if (rollover == null) {
                problems.add(new ConfigProblem("rollover", "is required (AuditRollover.NEVER for one file)"));
            }
            if (retention == null) {
                problems.add(new ConfigProblem("retention", "is required"));
            }
            InvalidConfigurationException.throwIfAny(problems);
            checkpointKey = checkpointKey == null ? null : checkpointKey.clone();
        }

        /** Without rollover and with the default retention. */
        public Options(byte @Nullable [] checkpointKey, Duration checkpointEvery, boolean fsync, Clock clock) {
            this(checkpointKey, checkpointEvery, fsync, clock, AuditRollover.NEVER, AuditRetention.DEFAULT);
        }

        /**
         * No checkpoint key, a checkpoint at most every second, fsync on, the UTC system clock, no
         * rollover, retention 90 days then compressed.
         */
        public static Options defaults() {
            return new Options(null, DEFAULT_CHECKPOINT_EVERY, true, Clock.systemUTC());
        }

        /** A copy of the key, or null. */
        @Override
        public byte @Nullable [] checkpointKey() {
            return checkpointKey == null ? null : checkpointKey.clone();
        }

        public Options withCheckpointKey(byte @Nullable [] key) {
            return new Options(key, checkpointEvery, fsync, clock, rollover, retention);
        }

        public Options withCheckpointEvery(Duration every) {
            return new Options(checkpointKey, every, fsync, clock, rollover, retention);
        }

        public Options withFsync(boolean on) {
            return new Options(checkpointKey, checkpointEvery, on, clock, rollover, retention);
        }

        public Options withClock(Clock newClock) {
            return new Options(checkpointKey, checkpointEvery, fsync, newClock, rollover, retention);
        }

        public Options withRollover(AuditRollover newRollover) {
            return new Options(checkpointKey, checkpointEvery, fsync, clock, newRollover, retention);
        }

        public Options withRetention(AuditRetention newRetention) {
            return new Options(checkpointKey, checkpointEvery, fsync, clock, rollover, newRetention);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Options other
                    && Arrays.equals(checkpointKey, other.checkpointKey)
                    && checkpointEvery.equals(other.checkpointEvery)
                    && fsync == other.fsync
                    && clock.equals(other.clock)
                    && rollover.equals(other.rollover)
                    && retention.equals(other.retention);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(checkpointKey), checkpointEvery, fsync, clock, rollover, retention);
        }

        @Override
        public String toString() {
            return "Options[checkpointKey=" + (checkpointKey == null ? "none" : "<masked>")
                    + ", checkpointEvery=" + checkpointEvery + ", fsync=" + fsync + ", clock=" + clock
                    + ", rollover=" + rollover + ", retention=" + retention + "]";
        }
    }

    /** One caller's events, waiting for the writer. */
    private static final class Pending extends Completion {
        final List<byte[]> bodies;

        Pending(List<byte[]> bodies) {
            this.bodies = bodies;
        }
    }

    /** Where the chain stands: the last line's seq and hash and the byte length of the file. */
    private record Tail(long seq, String hash, long size) {}

    private final Path file;
    private final Options options;
    private final byte @Nullable [] key;
    private final ChannelOpener opener;
    private final Thread writer;
    // Retention work (compressing, deleting old files) runs here, never on the writer thread.
    private final @Nullable ScheduledExecutorService maintenance;
    // Serialises retention runs; appenders never take it.
    private final Object maintenanceLock = new Object();

    // Guards the queue and the closed flag only; no I/O happens while it is held.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private List<Pending> queue = new ArrayList<>();
    private int queuedEvents;
    private boolean closed;

    // Confined to the writer thread once it starts (open() hands them over through Thread.start,
    // close() reads them back after Thread.join).
    private @Nullable FileChannel channel;
    private @Nullable FileLock fileLock;
    private long seq;
    private String prevHash;
    private long size;
    private boolean staleBytesPossible;
    private boolean failing;
    private long checkpointedSeq;
    private int lastBatchCallers;
    private long lastForceNanos;
    private Instant lastCheckpoint;
    private long fileFirstSeq;
    private LocalDate activeDay;
    private Instant rolloverRetryAt = Instant.MIN;
    private final MessageDigest digest = AuditChain.sha256();
    private final BatchBuffer batchBuffer = new BatchBuffer(64 * 1024);

    private JsonlAuditSink(Path file, Options options, ChannelOpener opener, FileChannel channel, FileLock fileLock,
            Tail tail, long checkpointedSeq, long fileFirstSeq, LocalDate activeDay) {
        this.file = file;
        this.options = options;
        this.key = options.checkpointKey();
        this.opener = opener;
        this.channel = channel;
        this.fileLock = fileLock;
        this.seq = tail.seq();
        this.prevHash = tail.hash();
        this.size = tail.size();
        this.checkpointedSeq = checkpointedSeq;
        this.lastCheckpoint = options.clock().instant();
        this.fileFirstSeq = fileFirstSeq;
        this.activeDay = activeDay;
        this.maintenance = options.rollover().enabled()
                ? Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                        .name("rotor-audit-retention " + file.getFileName()).unstarted(r))
                : null;
        this.writer = Thread.ofPlatform().daemon().name("rotor-audit-writer " + file.getFileName()).unstarted(this::runWriter);
    }

    /**
     * Opens (or creates) the log at {@code file} and starts its writer thread. The directory must
     * exist.
     *
     * @throws AuditUnavailableException if the file cannot be opened, read or locked, if its last
     *     complete line is not an audit record, or if its checkpoint shows it was cut short or altered
     */
    public static JsonlAuditSink open(Path file, Options options) {
        return open(file, options, DEFAULT_OPENER);
    }

    static JsonlAuditSink open(Path file, Options options, ChannelOpener opener) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Path path = file.toAbsolutePath();
        FileChannel ch = null;
        try {
            ch = opener.open(path);
            FileLock fileLock = lockFile(path, ch);
            boolean created = ch.size() == 0;
            Tail own = recoverTail(path, ch, options.fsync());
            // Read through the locked channel: closing any other descriptor of the file would drop the lock (POSIX).
            Optional<AuditSegments.LineInfo> first = own.seq() == 0 ? Optional.empty() : firstLine(ch, own.size());
            Tail tail = own.seq() == 0 ? chainBefore(path, own) : own;
            long checkpointedSeq = checkCheckpoint(path, tail, options);
            long fileFirstSeq = first.map(AuditSegments.LineInfo::seq).orElse(tail.seq() + 1);
            ZoneId zone = options.rollover().zone();
            // The day the file was last written (event times come from callers and may lag or lead).
            LocalDate activeDay = LocalDate.ofInstant(first.isPresent() ? Files.getLastModifiedTime(path).toInstant()
                    : options.clock().instant(), zone);
            Files.deleteIfExists(AuditCheckpoint.tempPathFor(path));
            if (created && options.fsync()) {
                AuditCheckpoint.fsyncDirectory(path.getParent());
            }
            JsonlAuditSink sink = new JsonlAuditSink(path, options, opener, ch, fileLock, tail, checkpointedSeq,
                    fileFirstSeq, activeDay);
            sink.writer.start();
            if (sink.maintenance != null) {
                sink.maintenance.scheduleWithFixedDelay(sink::maintainQuietly, 0, 1, TimeUnit.HOURS);
            }
            LOG.debug("audit log {} opened at seq {}", path, tail.seq());
            return sink;
        } catch (IOException | UncheckedIOException e) {
            closeQuietly(ch);
            throw new AuditUnavailableException("cannot open audit log " + path + ": " + e, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static FileLock lockFile(Path path, FileChannel ch) throws IOException {
        FileLock fileLock;
        try {
            fileLock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new AuditUnavailableException("audit log " + path + " is already open in this process", e);
        }
        if (fileLock == null) {
            throw new AuditUnavailableException("audit log " + path + " is open in another process", null);
        }
        return fileLock;
    }

    /**
     * Where the chain stands when the file being written holds no line yet: at the end of the
     * newest rolled-over file, else at the seq the anchor records, else at the start.
     */
    private static Tail chainBefore(Path path, Tail own) throws IOException {
        List<AuditSegments.Segment> segments = AuditSegments.list(path);
        if (!segments.isEmpty()) {
            AuditSegments.Segment newest = segments.get(segments.size() - 1);
            AuditSegments.LineInfo last = AuditSegments.lastLine(newest.path(), newest.gzipped())
                    .orElseThrow(() -> new AuditUnavailableException("audit log " + path + ": the rolled-over file "
                            + newest.path() + " does not end with an audit record, so the chain cannot continue; run"
                            + " 'rotor audit verify' and move the files aside", null));
            return new Tail(last.seq(), last.hash(), own.size());
        }
        Optional<AuditCheckpoint> anchor;
        try {
            anchor = AuditCheckpoint.readAnchor(path);
        } catch (IllegalArgumentException e) {
            throw new AuditUnavailableException("anchor " + AuditCheckpoint.anchorPathFor(path) + " is not a valid anchor ("
                    + e.getMessage() + "); run 'rotor audit verify'", null);
        }
        return anchor.map(a -> new Tail(a.seq(), a.hash(), own.size())).orElse(own);
    }

    /** Finds the last complete line, and cuts off a torn one after it. */
    private static Tail recoverTail(Path path, FileChannel ch, boolean fsync) throws IOException {
        long fileSize = ch.size();
        long lastNewline = lastIndexOfNewline(ch, fileSize);
        long completeEnd = lastNewline + 1;
        Tail tail;
        if (completeEnd == 0) {
            tail = new Tail(0, AuditChain.ZERO_HASH, 0);
        } else {
            long lineStart = lastIndexOfNewline(ch, lastNewline) + 1;
            byte[] line = read(ch, lineStart, lastNewline);
            long lastSeq = -1;
            try {
                JsonNode node = AuditEventCodec.readTree(line);
                if (node != null && node.isObject()) {
                    lastSeq = AuditChain.seqOf(node);
                }
            } catch (IOException e) {
                // not JSON: reported below
            }
            if (lastSeq < 1) {
                throw new AuditUnavailableException("audit log " + path + ": the last complete line (from byte " + lineStart
                        + ") is not an audit record, so the chain cannot be continued; run 'rotor audit verify' on it and"
                        + " move it aside", null);
            }
            tail = new Tail(lastSeq, AuditChain.hash(AuditChain.sha256(), line, 0, line.length), completeEnd);
        }
        if (completeEnd < fileSize) {
            byte[] torn = read(ch, completeEnd, Math.min(fileSize, completeEnd + TORN_PREFIX.length));
            if (!looksTorn(torn, ch, completeEnd, fileSize)) {
                throw new AuditUnavailableException("audit log " + path + ": the bytes after the last complete line (from byte "
                        + completeEnd + ") are neither the start of an audit record nor zeros; this is not an audit log,"
                        + " or it was damaged; run 'rotor audit verify' on it and move it aside", null);
            }
            LOG.warn("audit log {}: line {} (bytes {} to {}) has no line end: it was cut off by a crash while being written"
                    + " and was never acknowledged; removing it before appending", path, countLines(ch, completeEnd) + 1,
                    completeEnd, fileSize);
            ch.truncate(completeEnd);
            if (fsync) {
                ch.force(true);
            }
        }
        return tail;
    }

    /**
     * Compares the checkpoint with the recovered tail, refusing a log that lost lines it recorded.
     *
     * @return the seq the checkpoint covers if it matches the tail exactly, else -1 (so one is written)
     */
    private static long checkCheckpoint(Path path, Tail tail, Options options) throws IOException {
        Path checkpointFile = AuditCheckpoint.pathFor(path);
        Optional<AuditCheckpoint> read;
        try {
            read = AuditCheckpoint.read(path);
        } catch (IllegalArgumentException e) {
            throw new AuditUnavailableException("checkpoint " + checkpointFile + " is not a valid checkpoint (" + e.getMessage()
                    + "); run 'rotor audit verify' and, once explained, move the checkpoint aside", null);
        }
        if (read.isEmpty()) {
            return -1;
        }
        AuditCheckpoint cp = read.get();
        byte[] key = options.checkpointKey();
        if (key != null && cp.signed() && !cp.macMatches(key)) {
            throw new AuditUnavailableException("checkpoint " + checkpointFile + ": its HMAC does not match the configured"
                    + " checkpoint key (forged, altered, or signed with another key); run 'rotor audit verify'", null);
        }
        if (key != null && !cp.signed()) {
            LOG.warn("checkpoint {} is unsigned; the next checkpoint will be signed with the configured key", checkpointFile);
        } else if (key == null && cp.signed()) {
            LOG.warn("checkpoint {} is signed but no checkpoint key is configured; new checkpoints will be unsigned",
                    checkpointFile);
        }
        if (cp.seq() > tail.seq()) {
            throw new AuditUnavailableException("audit log " + path + " ends at seq " + tail.seq() + " but its checkpoint records"
                    + " seq " + cp.seq() + " (written " + cp.time() + "): lines were cut off its end, or lost in a crash with"
                    + " fsync off; run 'rotor audit verify' and move the log aside before appending", null);
        }
        if (cp.seq() == tail.seq() && !cp.hash().equals(tail.hash())) {
            throw new AuditUnavailableException("audit log " + path + ": the hash of its last line (seq " + tail.seq()
                    + ") differs from the one its checkpoint records: the end of the log was altered; run 'rotor audit"
                    + " verify' and move the log aside before appending", null);
        }
        // Rewrite the checkpoint soon unless it already covers the tail and is signed as configured.
        boolean current = cp.seq() == tail.seq() && (key != null) == cp.signed();
        return current ? cp.seq() : -1;
    }

    // ---- appending ------------------------------------------------------------------------------

    /**
     * Appends one event and returns once it is durable.
     *
     * @throws AuditUnavailableException if it could not be written or fsynced (the cause says why),
     *     or the sink is closed
     */
    @Override
    public void append(AuditEvent event) {
        enqueueAndWait(List.of(AuditEventCodec.toJsonBytes(event)));
    }

    /** Appends the events as consecutive lines in one batch, and returns once all are durable. */
    @Override
    public void appendAll(List<AuditEvent> events) {
        List<byte[]> bodies = new ArrayList<>(events.size());
        for (AuditEvent e : events) {
            bodies.add(AuditEventCodec.toJsonBytes(e));
        }
        if (!bodies.isEmpty()) {
            enqueueAndWait(bodies);
        }
    }

    private void enqueueAndWait(List<byte[]> bodies) {
        Pending pending = new Pending(bodies);
        lock.lock();
        try {
            if (closed) {
                throw new AuditUnavailableException("audit log " + file + " is closed", null);
            }
            queue.add(pending);
            queuedEvents += bodies.size();
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
        Throwable failure = pending.await();
        if (failure != null) {
            throw new AuditUnavailableException("audit log " + file + ": could not record " + bodies.size()
                    + (bodies.size() == 1 ? " event" : " events") + " durably (" + failure
                    + "); the access must be refused, the next append retries", failure);
        }
    }

    @Override
    public String describe() {
        return "file:" + file;
    }

    /** The log file's absolute path. */
    public Path file() {
        return file;
    }

    /** The name of the gauge {@link #registerQueueDepthGauge} registers. */
    public static final String QUEUE_DEPTH_GAUGE = "rotor.audit.file.queue.depth";

    /**
     * Registers {@link #QUEUE_DEPTH_GAUGE}: the events waiting for the writer. It stays near zero
     * while the disk keeps up; a growing queue means fsyncs are slow and appenders are waiting.
     *
     * @throws IllegalArgumentException if the registry already has a metric of that name
     */
    public void registerQueueDepthGauge(MetricRegistry registry) {
        registry.register(QUEUE_DEPTH_GAUGE, (Gauge<Integer>) this::queuedEvents);
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
     * Writes everything queued, writes a final checkpoint and closes the file. Appends after this
     * throw {@link AuditUnavailableException}. Idempotent.
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
        ScheduledExecutorService m = maintenance;
        if (m != null) {
            m.shutdown(); // a running retention pass finishes; the hourly one is dropped
            while (true) {
                try {
                    if (m.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                    LOG.warn("audit log {}: still waiting for a retention pass to finish", file);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- retention ------------------------------------------------------------------------------

    /**
     * Applies the retention to the rolled-over files now, on the calling thread; runs otherwise
     * after every rollover and hourly. Does nothing without rollover.
     *
     * @return how many files were compressed or deleted
     * @throws java.io.UncheckedIOException if a file could not be compressed or deleted
     */
    int maintainNow() {
        if (!options.rollover().enabled()) {
            return 0;
        }
        synchronized (maintenanceLock) {
            try {
                return AuditSegments.applyRetention(file, options.retention(), options.clock().instant(), key, options.fsync());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void maintainQuietly() {
        try {
            maintainNow();
        } catch (RuntimeException e) {
            // Retention failing never blocks appends; it is tried again after the next rollover or in an hour.
            LOG.warn("audit log {}: applying the retention ({}) failed; will retry: {}", file, options.retention(), e.toString());
        }
    }

    private void scheduleMaintenance() {
        ScheduledExecutorService m = maintenance;
        if (m != null) {
            try {
                m.execute(this::maintainQuietly);
            } catch (RejectedExecutionException e) {
                LOG.debug("audit log {}: closing, retention not scheduled", file);
            }
        }
    }

    // ---- rollover -------------------------------------------------------------------------------

    private boolean rolloverDue() {
        AuditRollover r = options.rollover();
        if (!r.enabled() || size == 0) {
            return false;
        }
        boolean bySize = r.maxBytes() > 0 && size >= r.maxBytes();
        boolean byDay = r.daily() && !LocalDate.ofInstant(options.clock().instant(), r.zone()).equals(activeDay);
        return (bySize || byDay) && !options.clock().instant().isBefore(rolloverRetryAt);
    }

    /**
     * Renames the file to {@code <file>.<its first seq>} and starts a new one; the chain goes on
     * ({@link #seq} and {@link #prevHash} are untouched, so the new file's first line links to the
     * old file's last). Every line in the old file is already durable. If the rename fails, writing
     * goes on in the old file and the rollover is tried again a minute later.
     */
    private void rollOver() {
        Path target = AuditSegments.pathFor(file, fileFirstSeq);
        try {
            if (Files.exists(target) || Files.exists(target.resolveSibling(target.getFileName() + ".gz"))) {
                throw new IOException(target + " already exists");
            }
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            rolloverRetryAt = options.clock().instant().plus(Duration.ofMinutes(1));
            LOG.warn("audit log {}: rolling over to {} failed; writing on in the same file: {}", file, target, e.toString());
            return;
        }
        releaseFile();
        long lastSeqInOld = seq;
        size = 0;
        fileFirstSeq = seq + 1;
        activeDay = LocalDate.ofInstant(options.clock().instant(), options.rollover().zone());
        try {
            FileChannel ch = opener.open(file);
            try {
                fileLock = lockFile(file, ch);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw e;
            }
            channel = ch;
        } catch (IOException | RuntimeException e) {
            // The next write opens it again (usableChannel), and fails closed if it cannot.
            LOG.warn("audit log {}: opening the new file after rolling over failed: {}", file, e.toString());
        }
        if (options.fsync()) {
            AuditCheckpoint.fsyncDirectory(file.getParent());
        }
        LOG.info("audit log {}: rolled over; lines up to seq {} are in {}", file, lastSeqInOld, target.getFileName());
        scheduleMaintenance();
    }

    // ---- the writer thread ----------------------------------------------------------------------

    private void runWriter() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (true) {
                boolean idle = false;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed && !idle) {
                        if (checkpointedSeq == seq) {
                            awaitWork(Long.MAX_VALUE);
                        } else {
                            // Lines not yet covered: write a checkpoint once the log has been quiet a while.
                            idle = !awaitWork(idleCheckpointNanos());
                        }
                    }
                    if (queue.isEmpty() && closed) {
                        break;
                    }
                    if (!queue.isEmpty()) {
                        idle = false;
                        gatherStragglers();
                        List<Pending> taken = queue;
                        queue = batch;
                        batch = taken;
                        queuedEvents = 0;
                    }
                } finally {
                    lock.unlock();
                }
                if (idle) {
                    writeCheckpoint();
                } else {
                    lastBatchCallers = batch.size();
                    writeBatch(batch);
                    batch.clear();
                }
            }
            if (checkpointedSeq != seq) {
                writeCheckpoint();
            }
        } catch (Throwable t) {
            // Only an Error (out of memory, a bug) gets here: fail whatever waits, refuse new appends.
            LOG.error("audit log {}: writer thread failed; the sink is closed", file, t);
            failAllQueued(t);
            throw t;
        } finally {
            releaseFile();
        }
    }

    /**
     * The callers released by the last batch come back at once under load, but not all before the
     * writer looks: taking only the first few would split them into a small batch and a large one,
     * each paying a whole fsync. So wait a little (a fraction of the last fsync, at most
     * {@link #MAX_GATHER_NANOS}) for as many callers as the last batch had. Under light load the
     * queue already holds that many and nothing waits.
     */
    private void gatherStragglers() {
        long budget = Math.min(lastForceNanos / 4, MAX_GATHER_NANOS);
        long deadline = System.nanoTime() + budget;
        while (budget > 0 && queue.size() < lastBatchCallers && !closed) {
            awaitWork(budget);
            budget = deadline - System.nanoTime();
        }
    }

    /** Waits for a signal; returns false if {@code nanos} passed without one. */
    private boolean awaitWork(long nanos) {
        try {
            if (nanos == Long.MAX_VALUE) {
                workAvailable.await();
                return true;
            }
            return workAvailable.awaitNanos(nanos) > 0;
        } catch (InterruptedException e) {
            // Nobody should interrupt the writer; an interrupt would close the FileChannel under it.
            LOG.debug("audit log {}: writer thread interrupted; ignoring", file);
            return true;
        }
    }

    /** How long the log must be quiet before uncovered lines get a checkpoint of their own. */
    private long idleCheckpointNanos() {
        Duration every = options.checkpointEvery();
        // With EVERY_BATCH this only retries a checkpoint that failed; do not spin on a broken disk.
        return (every.isZero() ? Duration.ofSeconds(1) : every).toNanos();
    }

    /** Whether the batch just written should be covered by a checkpoint before its callers return. */
    private boolean checkpointDue() {
        if (checkpointedSeq == seq) {
            return false;
        }
        Duration every = options.checkpointEvery();
        return every.isZero() || !options.clock().instant().isBefore(lastCheckpoint.plus(every));
    }

    private void writeBatch(List<Pending> batch) {
        long nextSeq = seq;
        String nextHash = prevHash;
        long end;
        Throwable failure = null;
        if (rolloverDue()) {
            rollOver();
        }
        try {
            batchBuffer.reset();
            for (Pending p : batch) {
                for (byte[] body : p.bodies) {
                    nextSeq++;
                    int lineStart = batchBuffer.size();
                    batchBuffer.writeBytes(AuditChain.linePrefix(nextSeq, nextHash));
                    batchBuffer.write(body, 1, body.length - 1); // the event object without its '{'
                    nextHash = lineHash(lineStart);
                    batchBuffer.write('\n');
                }
            }
            end = writeAndForce();
        } catch (IOException | RuntimeException e) {
            failure = e;
            end = -1;
        } catch (Error e) {
            finishAll(batch, e);
            throw e;
        }
        if (failure == null) {
            seq = nextSeq;
            prevHash = nextHash;
            size = end;
            if (failing) {
                failing = false;
                LOG.info("audit log {}: writing works again (seq {})", file, seq);
            }
            try {
                if (checkpointDue()) {
                    // Before releasing the callers, so that a caller who returns is covered by any checkpoint due.
                    writeCheckpoint();
                }
            } finally {
                finishAll(batch, null);
            }
        } else {
            handleWriteFailure(batch, failure);
            finishAll(batch, failure);
        }
    }

    private String lineHash(int lineStart) {
        return AuditChain.hash(digest, batchBuffer.array(), lineStart, batchBuffer.size() - lineStart);
    }

    /** Writes the batch at the end of the durable part of the file and fsyncs; returns the new end. */
    private long writeAndForce() throws IOException {
        FileChannel ch = usableChannel();
        ByteBuffer buffer = ByteBuffer.wrap(batchBuffer.array(), 0, batchBuffer.size());
        long position = size;
        while (buffer.hasRemaining()) {
            position += ch.write(buffer, position);
        }
        if (staleBytesPossible) {
            // A failed batch may have left bytes after the durable end: cut them off.
            if (ch.size() > position) {
                ch.truncate(position);
            }
            staleBytesPossible = false;
        }
        if (options.fsync()) {
            long started = System.nanoTime();
            ch.force(false);
            lastForceNanos = System.nanoTime() - started;
        }
        return position;
    }

    private FileChannel usableChannel() throws IOException {
        FileChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            return ch;
        }
        releaseFile();
        FileChannel reopened = opener.open(file);
        try {
            long onDisk = reopened.size();
            if (onDisk < size) {
                throw new IOException("audit log shrank from " + size + " to " + onDisk + " bytes while it was open");
            }
            fileLock = lockFile(file, reopened);
        } catch (IOException | RuntimeException e) {
            closeQuietly(reopened);
            throw e;
        }
        staleBytesPossible = true;
        channel = reopened;
        return reopened;
    }

    private void handleWriteFailure(List<Pending> batch, Throwable failure) {
        int events = batch.stream().mapToInt(p -> p.bodies.size()).sum();
        if (!failing) {
            failing = true;
            LOG.warn("audit log {}: writing {} event(s) after seq {} failed; they are refused and the next batch retries",
                    file, events, seq, failure);
        } else {
            LOG.warn("audit log {}: writing {} event(s) after seq {} failed again: {}", file, events, seq, failure.toString());
        }
        staleBytesPossible = true;
        FileChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            try {
                ch.truncate(size);
                staleBytesPossible = false;
            } catch (IOException | RuntimeException e) {
                LOG.debug("audit log {}: could not cut off the failed batch yet: {}", file, e.toString());
            }
        }
    }

    private static void finishAll(List<Pending> batch, @Nullable Throwable failure) {
        for (Pending p : batch) {
            p.finish(failure);
        }
    }

    private void writeCheckpoint() {
        Instant now = options.clock().instant();
        try {
            AuditCheckpoint.create(seq, prevHash, now, key).write(file, options.fsync());
            checkpointedSeq = seq;
        } catch (IOException | RuntimeException e) {
            LOG.warn("audit log {}: could not write checkpoint {} (seq {}); will retry: {}", file,
                    AuditCheckpoint.pathFor(file), seq, e.toString());
        }
        lastCheckpoint = now; // also after a failure, so a broken disk is not retried in a tight loop
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

    private void releaseFile() {
        FileLock l = fileLock;
        fileLock = null;
        if (l != null && l.isValid()) {
            try {
                l.release();
            } catch (IOException e) {
                LOG.debug("audit log {}: releasing the file lock failed: {}", file, e.toString());
            }
        }
        FileChannel ch = channel;
        channel = null;
        closeQuietly(ch);
    }

    // ---- reading the tail -----------------------------------------------------------------------

    private static final byte[] TORN_PREFIX = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether the bytes after the last line end can be a line cut off by a crash: the start of a
     * record, or zeros (some file systems extend a file before its data reaches the disk). Anything
     * else is left alone rather than cut off, so a file that is not an audit log is never damaged.
     */
    private static boolean looksTorn(byte[] start, FileChannel ch, long from, long to) throws IOException {
        if (Arrays.equals(start, 0, start.length, TORN_PREFIX, 0, start.length)) {
            return true;
        }
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        for (long pos = from; pos < to; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), to - pos));
            readFully(ch, chunk, pos);
            for (int i = 0; i < chunk.limit(); i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            pos += chunk.limit();
        }
        return true;
    }

    /** The first line of the file, if it is a record with a seq. */
    private static Optional<AuditSegments.LineInfo> firstLine(FileChannel ch, long end) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        long limit = Math.min(end, AuditLogVerifier.MAX_LINE_BYTES);
        for (long pos = 0; pos < limit; ) {
            int len = (int) Math.min(chunk.capacity(), limit - pos);
            chunk.clear().limit(len);
            readFully(ch, chunk, pos);
            for (int i = 0; i < len; i++) {
                if (chunk.get(i) == '\n') {
                    return AuditSegments.info(read(ch, 0, pos + i));
                }
            }
            pos += len;
        }
        return Optional.empty();
    }

    /** The position of the last '\n' before {@code end}, or -1. */
    private static long lastIndexOfNewline(FileChannel ch, long end) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        long pos = end;
        while (pos > 0) {
            int len = (int) Math.min(chunk.capacity(), pos);
            long start = pos - len;
            chunk.clear().limit(len);
            readFully(ch, chunk, start);
            for (int i = len - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    return start + i;
                }
            }
            pos = start;
        }
        return -1;
    }

    private static byte[] read(FileChannel ch, long from, long to) throws IOException {
        long length = to - from;
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException("line of " + length + " bytes is too long to be an audit record");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        readFully(ch, buffer, from);
        return buffer.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    /** Line ends before {@code end}; read only when a torn line must be reported. */
    private static long countLines(FileChannel ch, long end) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long lines = 0;
        for (long pos = 0; pos < end; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - pos));
            readFully(ch, chunk, pos);
            for (int i = 0; i < chunk.limit(); i++) {
                if (chunk.get(i) == '\n') {
                    lines++;
                }
            }
            pos += chunk.limit();
        }
        return lines;
    }

    private static void closeQuietly(@Nullable FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing an audit log channel failed: {}", e.toString());
            }
        }
    }

    /** A growable byte buffer whose array the writer hashes and writes in place, without copying. */
    private static final class BatchBuffer extends ByteArrayOutputStream {
        BatchBuffer(int initial) {
            super(initial);
        }

        byte[] array() {
            return buf;
        }
    }
}
