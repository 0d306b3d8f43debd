package dev.rotor.rotation;

import dev.rotor.SecretRef;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a rotation run. Every event is audited, then given to the
 * engine's {@link RotationListener}s. Events carry version ids, refs, steps and reasons, never
 * a credential.
 *
 * <p>Every event names the version that was CURRENT when its run began
 * ({@link #previousVersionId()}) and the version that is CURRENT once the event has happened
 * ({@link #currentVersionId()}): the same until PROMOTE, the new version after it.
 *
 * <p>The events of one run, in order: {@link Started}, a {@link StepCompleted} per step, then
 * {@link Succeeded} (at NOTIFY; in an emergency followed by {@link Retired}), or {@link Failed}
 * (after a {@link RolledBack} if the run's changes were undone). A run resumed after a crash
 * starts again with a {@code Started} whose {@link Started#resumedAt()} names where it resumes.
 */
public sealed interface RotationEvent {

    String runId();

    /** The store's name. */
    String store();

    String path();

    Instant time();

    String rotatorType();

    @Nullable String previousVersionId();

    @Nullable String currentVersionId();

    default SecretRef ref() {
        return SecretRef.of(store(), path());
    }

    /**
     * A run began, or a run left by a dead process is being resumed.
     *
     * @param resumedAt for a resumed run, the step it resumes at (APPLY: roll forward; CREATE: discard;
     *     NOTIFY: it had promoted); {@code null} for a new run
     */
    record Started(String runId, String store, String path, Instant time, String rotatorType,
            @Nullable String previousVersionId, @Nullable String currentVersionId,
            boolean emergency, @Nullable String reason, String actor, @Nullable Step resumedAt) implements RotationEvent {
        public Started {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(rotatorType, "rotatorType");
            Objects.requireNonNull(actor, "actor");
        }
    }

    /** @param pendingVersionId the run's new version, once CREATE has stored it */
    record StepCompleted(String runId, String store, String path, Instant time, String rotatorType,
            @Nullable String previousVersionId, @Nullable String currentVersionId,
            Step step, @Nullable String pendingVersionId) implements RotationEvent {
        public StepCompleted {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(rotatorType, "rotatorType");
            Objects.requireNonNull(step, "step");
        }
    }

    /** The new version is CURRENT (sent at NOTIFY: caches refresh, consumers reload). */
    record Succeeded(String runId, String store, String path, Instant time, String rotatorType,
            @Nullable String previousVersionId, String currentVersionId,
            boolean emergency, boolean resumed) implements RotationEvent {
        public Succeeded {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(rotatorType, "rotatorType");
            Objects.requireNonNull(currentVersionId, "currentVersionId");
        }
    }

    /**
     * The run failed.
     *
     * @param step the step that failed
     * @param error the error's type and, for Rotor's own exceptions (which never hold a value), its message
     * @param rolledBack true if the run left nothing behind: the target as before, no PENDING
     *     version, CURRENT untouched. False means a later run rolls the work forward (PENDING at
     *     APPLY is kept), or the run had already promoted (a failed emergency RETIRE)
     * @param pendingVersionId the run's new version, if CREATE stored one
     */
    record Failed(String runId, String store, String path, Instant time, String rotatorType,
            @Nullable String previousVersionId, @Nullable String currentVersionId,
            Step step, String error, boolean rolledBack, @Nullable String pendingVersionId) implements RotationEvent {
        public Failed {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(rotatorType, "rotatorType");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * The run's changes were undone: the target rolled back where APPLY had begun, and the
     * PENDING version removed. CURRENT is as before.
     *
     * @param step the step at which the run was undone
     * @param discardedVersionId the PENDING version removed, if any
     * @param why a short non-secret explanation
     */
    record RolledBack(String runId, String store, String path, Instant time, String rotatorType,
            @Nullable String previousVersionId, @Nullable String currentVersionId,
            Step step, @Nullable String discardedVersionId, String why) implements RotationEvent {
        public RolledBack {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(rotatorType, "rotatorType");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(why, "why");
        }
    }

    /**
     * A PREVIOUS credential was revoked on its target and the PREVIOUS stage removed.
     *
     * @param retiredVersionId the version revoked
     * @param why {@code grace period over}, {@code emergency: <reason>} or {@code superseded by run <id>}
     */
    record Retired(String runId, String store, String path, Instant time, String rotatorType,
            @Nullable String previousVersionId, @Nullable String currentVersionId,
            String retiredVersionId, String why) implements RotationEvent {
        public Retired {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(rotatorType, "rotatorType");
            Objects.requireNonNull(retiredVersionId, "retiredVersionId");
            Objects.requireNonNull(why, "why");
        }
    }
}
