package dev.rotor.api;

import dev.rotor.SecretRef;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Metadata of one managed secret as the API lists it; never its value.
 *
 * @param ref the secret
 * @param rotator the rotator (policy) that rotates it, if any
 * @param currentVersionId the CURRENT version's id, if known
 * @param lastRotated when it was last rotated successfully, if ever
 * @param nextDue when the next rotation is due, if scheduled
 * @param state a word such as {@code ok}, {@code due}, {@code overdue}, {@code rotating}, {@code failed}
 */
public record SecretSummary(SecretRef ref, @Nullable String rotator, @Nullable String currentVersionId,
        @Nullable Instant lastRotated, @Nullable Instant nextDue, String state) {

    public SecretSummary {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(state, "state");
    }
}
