package dev.rotor.azure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What Rotor records about one Azure secret version, kept in its tag {@value #TAG} as
 * {@code key=value} pairs separated by {@code ;} (at most 256 characters, Azure's limit for a tag
 * value). A version without the tag was written by someone else: a "foreign" version, whose Rotor
 * id is its Azure version id.
 *
 * @param id the Rotor version id this Azure version holds; {@code null}: its own Azure version id
 *     (the version was written by {@code put}); set on copies made by promote and repair
 * @param created when the Rotor version was first written (the store's clock, microseconds);
 *     {@code null}: the Azure creation time (whole seconds)
 * @param previous main secret only: the Rotor id PREVIOUS points at while this version is the
 *     latest; {@code null}: none
 * @param parent the Azure version that was the latest of the same secret when the writer checked
 *     it, {@code null} if there was none; two versions with one parent are rival moves
 * @param mover a random token per move, so a retried write is not mistaken for a rival
 * @param conditional the write was a compare-and-set move, which can lose a race
 * @param repair the version undoes a move that lost a race, restoring the winner's state
 * @param clearsPending main secret only: the Azure version of the PENDING secret whose pointer
 *     this promotion clears (so a crash between the two writes leaves no stale PENDING)
 * @param pending PENDING secret only: where PENDING points while this version is the latest;
 *     {@code null}: at this version itself; {@code ""}: nowhere
 * @param marker PENDING secret only: a pointer move with no value of its own
 * @param keyHash a digest of the idempotency key of the put that wrote the version
 */
record VersionMeta(
        @Nullable String id,
        @Nullable Instant created,
        @Nullable String previous,
        @Nullable String parent,
        @Nullable String mover,
        boolean conditional,
        boolean repair,
        @Nullable String clearsPending,
        @Nullable String pending,
        boolean marker,
        @Nullable String keyHash) {

    /** The tag that holds the record. */
    static final String TAG = "rotor";

    static final VersionMeta FOREIGN = new VersionMeta(null, null, null, null, null, false, false, null, null, false, null);

    /** The record written into a version's tags, or {@link #FOREIGN} if there is none. */
    static VersionMeta of(@Nullable Map<String, String> tags) {
        String text = tags == null ? null : tags.get(TAG);
        return text == null ? FOREIGN : parse(text);
    }

    static VersionMeta parse(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                f.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return new VersionMeta(
                blankToNull(f.get("id")),
                instant(f.get("t")),
                blankToNull(f.get("prev")),
                blankToNull(f.get("par")),
                blankToNull(f.get("mv")),
                "1".equals(f.get("c")),
                "1".equals(f.get("r")),
                blankToNull(f.get("sp")),
                f.get("p"),
                "1".equals(f.get("m")),
                blankToNull(f.get("k")));
    }

    String format() {
        StringBuilder sb = new StringBuilder(200);
        put(sb, "id", id);
        put(sb, "t", created == null ? null : created.toString());
        put(sb, "prev", previous);
        put(sb, "par", parent);
        put(sb, "mv", mover);
        put(sb, "c", conditional ? "1" : null);
        put(sb, "r", repair ? "1" : null);
        put(sb, "sp", clearsPending);
        if (pending != null) {
            // "p=" (nowhere) differs from no "p" at all (this version itself)
            sb.append(sb.isEmpty() ? "" : ";").append("p=").append(pending);
        }
        put(sb, "m", marker ? "1" : null);
        put(sb, "k", keyHash);
        return sb.toString();
    }

    private static void put(StringBuilder sb, String key, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            if (!sb.isEmpty()) {
                sb.append(';');
            }
            sb.append(key).append('=').append(value);
        }
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static @Nullable Instant instant(@Nullable String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The Rotor version id of the Azure version {@code azureVersion} that carries this record. */
    String rotorId(String azureVersion) {
        return id != null ? id : azureVersion;
    }

    /** A short, fixed-length digest of an idempotency key (keys may be 256 characters; tag values hold 256). */
    static String hashKey(String idempotencyKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 18));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    VersionMeta withParent(@Nullable String newParent) {
        return new VersionMeta(id, created, previous, newParent, mover, conditional, repair, clearsPending, pending, marker, keyHash);
    }

    VersionMeta withPrevious(@Nullable String newPrevious) {
        return new VersionMeta(id, created, newPrevious, parent, mover, conditional, repair, clearsPending, pending, marker, keyHash);
    }
}
