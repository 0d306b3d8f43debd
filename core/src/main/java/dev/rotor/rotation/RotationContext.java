package dev.rotor.rotation;

import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a rotator knows about the run it takes part in.
 *
 * @param runId the run's id: stable across resumes, so a step can recognise its own earlier work
 * @param store the store name
 * @param path the secret's path
 * @param emergency whether this is an emergency rotation (RETIRE right after PROMOTE)
 * @param reason why the rotation runs (an operator's text, or "scheduled"); never a credential
 * @param clock the clock to use
 */
public record RotationContext(String runId, String store, String path, boolean emergency, @Nullable String reason, Clock clock) {

    public RotationContext {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(clock, "clock");
    }
}
