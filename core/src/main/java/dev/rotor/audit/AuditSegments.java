package dev.rotor.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one audit log: the file being written ({@code <file>}) and the ones rolled over
 * before it ({@code <file>.<first seq>}, or {@code <file>.<first seq>.gz} once archived), plus the
 * anchor ({@code <file>.anchor}) left when retention deleted the oldest ones. Static helpers;
 * callers serialise changes to one log's files themselves.
 */
final class AuditSegments {

    private static final Logger LOG = LoggerFactory.getLogger(AuditSegments.class);
    private static final int MAX_LINE_BYTES = AuditLogVerifier.MAX_LINE_BYTES;

    /** A rolled-over file. */
    record Segment(Path path, long firstSeq, boolean gzipped) {}

    /** A line's place in the chain. */
    record LineInfo(long seq, String hash, @Nullable Instant time) {}

    private AuditSegments() {}

    static Path pathFor(Path log, long firstSeq) {
        return log.resolveSibling(log.getFileName() + "." + firstSeq);
    }

    /** The rolled-over files of {@code log}, oldest (lowest first seq) first. */
    static List<Segment> list(Path log) throws IOException {
        Path dir = log.toAbsolutePath().getParent();
        Pattern pattern = Pattern.compile(Pattern.quote(log.getFileName().toString()) + "\\.([0-9]{1,18})(\\.gz)?");
        Map<Long, Segment> bySeq = new LinkedHashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p)) {
                    continue;
                }
                Segment s = new Segment(p, Long.parseLong(m.group(1)), m.group(2) != null);
                // After a crash between compressing and deleting, both exist: the plain one is the original.
                bySeq.merge(s.firstSeq(), s, (a, b) -> a.gzipped() ? b : a);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Segment> list = new ArrayList<>(bySeq.values());
        list.sort(Comparator.comparingLong(Segment::firstSeq));
        return list;
    }

    static InputStream open(Path file, boolean gzipped) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        if (!gzipped) {
            return in;
        }
        try {
            return new GZIPInputStream(in, 64 * 1024);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** The first complete line of a file, if it is a record with a seq. */
    static Optional<LineInfo> firstLine(Path file, boolean gzipped) throws IOException {
        try (InputStream in = open(file, gzipped)) {
            byte[] line = new byte[1024];
            int length = 0;
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    return info(Arrays.copyOf(line, length));
                }
                if (length == MAX_LINE_BYTES) {
                    return Optional.empty();
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[length++] = (byte) b;
            }
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The last complete line of a file, if it is a record with a seq; reads the whole file. */
    static Optional<LineInfo> lastLine(Path file, boolean gzipped) throws IOException {
        try (InputStream in = open(file, gzipped)) {
            byte[] chunk = new byte[64 * 1024];
            byte[] current = new byte[1024];
            int length = 0;
            byte[] last = null;
            int n;
            while ((n = in.read(chunk)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        last = Arrays.copyOf(current, length);
                        length = 0;
                    } else if (length < MAX_LINE_BYTES) {
                        if (length == current.length) {
                            current = Arrays.copyOf(current, Math.min(MAX_LINE_BYTES, current.length * 2));
                        }
                        current[length++] = chunk[i];
                    }
                }
            }
            return last == null ? Optional.empty() : info(last);
        }
    }

    static Optional<LineInfo> info(byte[] line) {
        JsonNode node;
        try {
            node = AuditEventCodec.readTree(line);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        long seq = AuditChain.seqOf(node);
        if (seq < 0) {
            return Optional.empty();
        }
        Instant time = null;
        JsonNode t = node.get("time");
        if (t != null && t.isTextual()) {
            try {
                time = Instant.parse(t.textValue());
            } catch (DateTimeParseException e) {
                time = null;
            }
        }
        return Optional.of(new LineInfo(seq, AuditChain.hash(AuditChain.sha256(), line, 0, line.length), time));
    }

    /**
     * Applies {@code retention} to the rolled-over files of {@code log} last written before
     * {@code now - maxAge}. Deleting writes the anchor first (so a crash leaves files the anchor
     * already covers, which verify accepts) and removes only the oldest files in order, so what
     * remains is always one unbroken stretch of the chain.
     *
     * @return how many files were compressed or deleted
     */
    static int applyRetention(Path log, AuditRetention retention, Instant now, byte @Nullable [] key, boolean fsync)
            throws IOException {
        Instant cutoff = now.minus(retention.maxAge());
        List<Segment> segments = list(log);
        int done = 0;
        switch (retention.disposal()) {
            case GZIP -> {
                for (Segment s : segments) {
                    if (!s.gzipped() && lastModified(s.path()).isBefore(cutoff)) {
                        gzip(s, fsync);
                        done++;
                    }
                }
            }
            case DELETE -> {
                List<Segment> expired = new ArrayList<>();
                for (Segment s : segments) {
                    if (!lastModified(s.path()).isBefore(cutoff)) {
                        break;
                    }
                    expired.add(s);
                }
                if (expired.isEmpty()) {
                    return 0;
                }
                Segment newest = expired.get(expired.size() - 1);
                Optional<LineInfo> last = lastLine(newest.path(), newest.gzipped());
                if (last.isEmpty()) {
                    LOG.warn("audit log {}: expired file {} does not end with an audit record; not deleting it or any older file",
                            log, newest.path());
                    return 0;
                }
                AuditCheckpoint.create(AuditCheckpoint.ANCHOR_FORMAT, last.get().seq(), last.get().hash(), now, key)
                        .writeAnchor(log, fsync);
                for (Segment s : expired) {
                    Files.deleteIfExists(s.path());
                    // A plain file left beside its compressed copy by a crash goes too.
                    Files.deleteIfExists(s.gzipped() ? s.path() : s.path().resolveSibling(s.path().getFileName() + ".gz"));
                    done++;
                }
                if (fsync) {
                    AuditCheckpoint.fsyncDirectory(log.toAbsolutePath().getParent());
                }
                LOG.info("audit log {}: retention deleted {} file(s) up to seq {}; the anchor records its hash", log,
                        expired.size(), last.get().seq());
            }
        }
        return done;
    }

    private static Instant lastModified(Path p) throws IOException {
        return Files.getLastModifiedTime(p).toInstant();
    }

    /** Compresses a file to {@code <file>.gz} (temporary file, fsync, rename), then deletes it. */
    private static void gzip(Segment s, boolean fsync) throws IOException {
        Path target = s.path().resolveSibling(s.path().getFileName() + ".gz");
        Path temp = s.path().resolveSibling(s.path().getFileName() + ".gz.tmp");
        FileTime mtime = Files.getLastModifiedTime(s.path());
        if (!Files.exists(target)) {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                GZIPOutputStream out = new GZIPOutputStream(Channels.newOutputStream(ch), 64 * 1024);
                Files.copy(s.path(), out);
                out.finish(); // the trailer is on its way before the fsync
                if (fsync) {
                    ch.force(true);
                }
                out.close();
            }
            Files.setLastModifiedTime(temp, mtime);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            if (fsync) {
                AuditCheckpoint.fsyncDirectory(target.toAbsolutePath().getParent());
            }
        }
        Files.delete(s.path());
        LOG.info("audit log file {} archived as {}", s.path(), target.getFileName());
    }
}
