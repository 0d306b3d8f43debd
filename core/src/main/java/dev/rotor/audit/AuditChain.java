package dev.rotor.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The hash chain of an audit log file: each line is
 * {@code {"seq":<n>,"prev":"<hex SHA-256 of the previous line>",<event fields>}}; the hash of a
 * line is taken over its UTF-8 bytes without the line end.
 */
final class AuditChain {

    static final String SEQ = "seq";
    static final String PREV = "prev";
    static final Set<String> LINE_FIELDS = Set.of(SEQ, PREV);

    /** The {@code prev} of the first line. */
    static final String ZERO_HASH = "0".repeat(64);

    private static final HexFormat HEX = HexFormat.of();

    private AuditChain() {}

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

    static String hash(MessageDigest digest, byte[] bytes, int offset, int length) {
        digest.reset();
        digest.update(bytes, offset, length);
        return hex(digest.digest());
    }

    /** The start of a line, up to and including the comma before the event fields. */
    static byte[] linePrefix(long seq, String prev) {
        return ("{\"" + SEQ + "\":" + seq + ",\"" + PREV + "\":\"" + prev + "\",").getBytes(StandardCharsets.US_ASCII);
    }

    /** True for 64 lowercase hex digits. */
    static boolean isHash(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** A line's {@code seq} if it is a whole number of at least 1, else -1. */
    static long seqOf(JsonNode line) {
        JsonNode seq = line.get(SEQ);
        if (seq != null && seq.isIntegralNumber() && seq.canConvertToLong() && seq.longValue() >= 1) {
            return seq.longValue();
        }
        return -1;
    }
}
