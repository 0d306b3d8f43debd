package dev.rotor;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to write a new version.
 *
 * @param stage CURRENT (the new version becomes CURRENT, the old CURRENT becomes PREVIOUS) or
 *     PENDING (the new version becomes PENDING; CURRENT is untouched)
 * @param tags tags recorded on the new version (not secret: they show in metadata and audit)
 * @param idempotencyKey if set, a second put with the same key on the same path returns the
 *     version the first one made instead of making another (AWS client request token semantics)
 */
public record PutOptions(Stage stage, Map<String, String> tags, @Nullable String idempotencyKey) {

    private static final PutOptions CURRENT = new PutOptions(Stage.CURRENT, Map.of(), null);
    private static final PutOptions PENDING = new PutOptions(Stage.PENDING, Map.of(), null);

    public PutOptions {
        Objects.requireNonNull(stage, "stage");
        if (stage == Stage.PREVIOUS) {
            throw new IllegalArgumentException("a new version can be put as CURRENT or PENDING, not PREVIOUS");
        }
        tags = Map.copyOf(tags);
        if (idempotencyKey != null) {
            SecretRef.checkVersionId(idempotencyKey);
        }
    }

    public static PutOptions current() {
        return CURRENT;
    }

    public static PutOptions pending() {
        return PENDING;
    }

    public PutOptions withTags(Map<String, String> newTags) {
        return new PutOptions(stage, newTags, idempotencyKey);
    }

    public PutOptions withIdempotencyKey(@Nullable String key) {
        return new PutOptions(stage, tags, key);
    }
}
