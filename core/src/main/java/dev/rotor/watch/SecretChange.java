package dev.rotor.watch;

import dev.rotor.SecretRef;
import dev.rotor.VersionInfo;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The version a watched ref points at changed from {@code previous} to {@code current}.
 * Metadata only, never a value.
 *
 * @param previous the version seen before, {@code null} if the ref pointed at nothing
 */
public record SecretChange(SecretRef ref, @Nullable VersionInfo previous, VersionInfo current) {

    public SecretChange {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(current, "current");
    }
}
