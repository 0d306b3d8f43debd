package dev.rotor.rotation;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** How a call to {@link RotationEngine} ended. Holds version ids and messages, never a credential. */
public sealed interface RotationResult {

    String path();

    /**
     * The new version is CURRENT.
     *
     * @param runId the run that promoted it (for a resumed run, the original run's id)
     * @param previousVersionId the version that was CURRENT before, if any
     * @param resumed whether a run left by a dead process was finished
     * @param previousRetired whether the previous credential was revoked already (an emergency)
     * @param took how long the call took
     */
    record Succeeded(String runId, String path, @Nullable String previousVersionId, String currentVersionId,
            boolean emergency, boolean resumed, boolean previousRetired, Duration took) implements RotationResult {
        public Succeeded {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(currentVersionId, "currentVersionId");
            Objects.requireNonNull(took, "took");
        }
    }

    /**
     * The run failed at {@code step}.
     *
     * @param rolledBack see {@link RotationEvent.Failed#rolledBack()}
     * @param currentVersionId the version CURRENT now
     * @param message the error's type and, for Rotor's own exceptions, their message
     * @param cause the exception; its own message is in {@code message} only when it is a Rotor exception
     */
    record Failed(String runId, String path, Step step, boolean rolledBack, @Nullable String currentVersionId,
            String message, RuntimeException cause) implements RotationResult {
        public Failed {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(cause, "cause");
        }

        /** Leaves the cause out: a foreign exception's message is not known to be free of values. */
        @Override
        public String toString() {
            return "Failed[runId=" + runId + ", path=" + path + ", step=" + step + ", rolledBack=" + rolledBack
                    + ", currentVersionId=" + currentVersionId + ", message=" + message + "]";
        }
    }

    /** {@link RotationEngine#resume} undid a run left by a dead process (it had not reached the target, or was rolled back). */
    record RolledBack(String runId, String path, Step step, @Nullable String currentVersionId, String why) implements RotationResult {
        public RolledBack {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(why, "why");
        }
    }

    /** {@link RotationEngine#retireDue} revoked PREVIOUS on the target. */
    record Retired(String runId, String path, String retiredVersionId, String currentVersionId) implements RotationResult {
        public Retired {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(retiredVersionId, "retiredVersionId");
            Objects.requireNonNull(currentVersionId, "currentVersionId");
        }
    }

    /** Nothing was due: no run to resume, or no PREVIOUS whose grace period is over. */
    record NothingToDo(String path, String why) implements RotationResult {
        public NothingToDo {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(why, "why");
        }
    }
}
