package dev.rotor.alert;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook alert, and its check for receivers written in Java.
 *
 * <p>Every webhook request carries {@value #TIMESTAMP_HEADER} (seconds since the epoch, as
 * decimal text) and {@value #SIGNATURE_HEADER} ({@code sha256=} followed by the lower-case hex
 * HMAC-SHA256 of the bytes {@code timestamp + "." + body}, keyed with the UTF-8 bytes of the
 * shared key). A receiver recomputes it over the raw body it received, compares in constant time,
 * and rejects a timestamp too far from its own clock so that a captured request cannot be
 * replayed later.
 *
 * <p>Stateless and thread-safe.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-Rotor-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Rotor-Signature";
    public static final String PREFIX = "sha256=";

    private WebhookSignature() {}

    /** The {@value #SIGNATURE_HEADER} value for {@code body} sent at {@code timestamp} (epoch seconds as text). */
    public static String sign(byte[] key, String timestamp, byte[] body) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(body, "body");
        return PREFIX + HexFormat.of().formatHex(hmac(key, timestamp, body));
    }

    /**
     * Checks a received request: the signature matches and the timestamp is within
     * {@code tolerance} of {@code now}.
     *
     * @return false for a missing, malformed, wrong or stale signature
     */
    public static boolean verify(byte[] key, String timestamp, byte[] body, String signature, Instant now, Duration tolerance) {
        if (timestamp == null || signature == null || !signature.startsWith(PREFIX)) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(key, timestamp, body), given);
    }

    private static byte[] hmac(byte[] key, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // Every JDK has HmacSHA256, and any non-empty key is valid for it.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
