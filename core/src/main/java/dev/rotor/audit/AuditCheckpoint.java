package dev.rotor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint beside an audit log ({@code <log>.checkpoint}): the last durable seq, the hash
 * of its line, when it was written and, with a key, an HMAC-SHA256 over those three. One JSON
 * object:
 *
 * <pre>{"format":"rotor-audit-checkpoint/1","seq":42,"hash":"…","time":"2025-05-01T10:15:30Z","mac":"…"}</pre>
 *
 * The MAC covers the UTF-8 bytes of {@code rotor-audit-checkpoint/1\n<seq>\n<hash>\n<time>}.
 *
 * @param mac lowercase hex HMAC-SHA256, or null when written without a key
 */
record AuditCheckpoint(long seq, String hash, Instant time, @Nullable String mac) {

    static final String FORMAT = "rotor-audit-checkpoint/1";
    /**
     * The format of an anchor ({@code <log>.anchor}): the same fields, recording the last line of
     * the files retention deleted, so that the chain of what remains can still be checked from
     * its first line. Its own format string keeps a checkpoint from passing for an anchor.
     */
    static final String ANCHOR_FORMAT = "rotor-audit-anchor/1";
    private static final Set<String> FIELDS = Set.of("format", "seq", "hash", "time", "mac");
    private static final int MAX_BYTES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(AuditCheckpoint.class);

    AuditCheckpoint {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative");
        }
        Objects.requireNonNull(hash, "hash");
        if (!AuditChain.isHash(hash)) {
            throw new IllegalArgumentException("hash must be 64 lowercase hex digits");
        }
        Objects.requireNonNull(time, "time");
        if (mac != null && !AuditChain.isHash(mac)) {
            throw new IllegalArgumentException("mac must be 64 lowercase hex digits");
        }
    }

    static Path pathFor(Path log) {
        return log.resolveSibling(log.getFileName() + ".checkpoint");
    }

    static Path tempPathFor(Path log) {
        return log.resolveSibling(log.getFileName() + ".checkpoint.tmp");
    }

    static Path anchorPathFor(Path log) {
        return log.resolveSibling(log.getFileName() + ".anchor");
    }

    static AuditCheckpoint create(long seq, String hash, Instant time, byte @Nullable [] key) {
        return create(FORMAT, seq, hash, time, key);
    }

    static AuditCheckpoint create(String format, long seq, String hash, Instant time, byte @Nullable [] key) {
        return new AuditCheckpoint(seq, hash, time, key == null ? null : macOf(format, seq, hash, time, key));
    }

    boolean signed() {
        return mac != null;
    }

    /** True if this checkpoint carries a MAC and it is the one {@code key} gives. */
    boolean macMatches(byte[] key) {
        return macMatches(FORMAT, key);
    }

    boolean macMatches(String format, byte[] key) {
        String m = mac;
        return m != null && MessageDigest.isEqual(
                m.getBytes(StandardCharsets.US_ASCII),
                macOf(format, seq, hash, time, key).getBytes(StandardCharsets.US_ASCII));
    }

    static String macOf(long seq, String hash, Instant time, byte[] key) {
        return macOf(FORMAT, seq, hash, time, key);
    }

    static String macOf(String format, long seq, String hash, Instant time, byte[] key) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            String signed = format + "\n" + seq + "\n" + hash + "\n" + AuditEventCodec.formatInstant(time);
            return AuditChain.hex(hmac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform provides HmacSHA256", e);
        }
    }

    byte[] toJson() {
        return toJson(FORMAT);
    }

    byte[] toJson(String format) {
        String m = mac == null ? "null" : "\"" + mac + "\"";
        return ("{\"format\":\"" + format + "\",\"seq\":" + seq + ",\"hash\":\"" + hash
                + "\",\"time\":\"" + AuditEventCodec.formatInstant(time) + "\",\"mac\":" + m + "}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a checkpoint file's content.
     *
     * @throws IllegalArgumentException saying what is wrong, without echoing the content
     */
    static AuditCheckpoint parse(byte[] bytes) {
        return parse(bytes, FORMAT);
    }

    static AuditCheckpoint parse(byte[] bytes, String expectedFormat) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = AuditEventCodec.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON" + AuditEventCodec.jsonErrorLocation(e));
        } catch (IOException e) {
            throw new IllegalArgumentException("not readable: " + e.getClass().getSimpleName());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + AuditEventCodec.printable(name) + "'");
            }
        }
        JsonNode format = node.get("format");
        if (format == null || !expectedFormat.equals(format.textValue())) {
            throw new IllegalArgumentException("field 'format' must be \"" + expectedFormat + "\"");
        }
        JsonNode seq = node.get("seq");
        if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 0) {
            throw new IllegalArgumentException("field 'seq' must be a whole number of at least 0");
        }
        JsonNode hash = node.get("hash");
        if (hash == null || !hash.isTextual() || !AuditChain.isHash(hash.textValue())) {
            throw new IllegalArgumentException("field 'hash' must be 64 lowercase hex digits");
        }
        JsonNode time = node.get("time");
        Instant instant;
        try {
            instant = Instant.parse(time == null || !time.isTextual() ? "" : time.textValue());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field 'time' must be an ISO-8601 instant");
        }
        JsonNode mac = node.get("mac");
        if (mac == null || !(mac.isNull() || (mac.isTextual() && AuditChain.isHash(mac.textValue())))) {
            throw new IllegalArgumentException("field 'mac' must be 64 lowercase hex digits or null");
        }
        return new AuditCheckpoint(seq.longValue(), hash.textValue(), instant, mac.isNull() ? null : mac.textValue());
    }

    /**
     * Reads the checkpoint beside {@code log}, if there is one.
     *
     * @throws IllegalArgumentException if the file exists but is not a checkpoint
     */
    static Optional<AuditCheckpoint> read(Path log) throws IOException {
        return readFile(pathFor(log), FORMAT);
    }

    /** Reads the anchor beside {@code log}, if there is one. */
    static Optional<AuditCheckpoint> readAnchor(Path log) throws IOException {
        return readFile(anchorPathFor(log), ANCHOR_FORMAT);
    }

    private static Optional<AuditCheckpoint> readFile(Path file, String format) throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(parse(bytes, format));
    }

    /**
     * Replaces the checkpoint beside {@code log} atomically: write a temporary file, fsync it,
     * rename it over the checkpoint, fsync the directory. A crash leaves the old checkpoint or the
     * new one, never a mix.
     */
    void write(Path log, boolean fsync) throws IOException {
        writeAtomically(log, pathFor(log), tempPathFor(log), toJson(), fsync);
    }

    /** Replaces the anchor beside {@code log} atomically, as {@link #write} does the checkpoint. */
    void writeAnchor(Path log, boolean fsync) throws IOException {
        Path anchor = anchorPathFor(log);
        writeAtomically(log, anchor, anchor.resolveSibling(anchor.getFileName() + ".tmp"), toJson(ANCHOR_FORMAT), fsync);
    }

    private static void writeAtomically(Path log, Path target, Path temp, byte[] content, boolean fsync) throws IOException {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            fsyncDirectory(log.toAbsolutePath().getParent());
        }
    }

    /** Makes a rename or a new file in {@code dir} durable; a no-op where directories cannot be opened. */
    static void fsyncDirectory(@Nullable Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; their renames are durable without it.
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }
}
