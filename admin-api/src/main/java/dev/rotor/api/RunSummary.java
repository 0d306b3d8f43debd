package dev.rotor.api;

import dev.rotor.SecretRef;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One rotation run as the API lists it.
 *
 * @param runId the run's id
 * @param ref the secret rotated
 * @param outcome {@code running}, {@code succeeded}, {@code failed}, {@code rolled_back} or {@code retired}
 * @param emergency whether it was an emergency rotation
 * @param actor who asked for it
 * @param reason the operator's reason, if any (never a credential)
 * @param started when it began
 * @param ended when it ended, if it has
 * @param step the step it failed at or is in, if any
 * @param message a short non-secret note (for a failure: the error type)
 */
public record RunSummary(String runId, SecretRef ref, String outcome, boolean emergency, String actor,
        @Nullable String reason, Instant started, @Nullable Instant ended, @Nullable String step, @Nullable String message) {

    public RunSummary {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(started, "started");
    }
}
