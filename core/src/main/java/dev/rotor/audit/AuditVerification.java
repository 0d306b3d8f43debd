package dev.rotor.audit;

import java.util.List;
import java.util.Objects;

/**
 * What {@link AuditLogVerifier#verify} found.
 *
 * @param ok true if no problem was found
 * @param linesChecked lines read, including bad ones and a cut-off last line
 * @param lastSeq the seq of the last line that continues the chain in order, 0 for an empty log
 * @param problems the first {@link AuditLogVerifier#MAX_PROBLEMS} problems, ordered by line
 *     (checkpoint problems, line 0, last)
 * @param unlistedProblems how many more problems were found but not listed
 * @param checkpoint what the checkpoint beside the log could vouch for
 */
public record AuditVerification(
        boolean ok,
        long linesChecked,
        long lastSeq,
        List<AuditProblem> problems,
        long unlistedProblems,
        CheckpointStatus checkpoint) {

    /** How far the checkpoint could be trusted. */
    public enum CheckpointStatus {
        /** There is no checkpoint file: a cut-off tail cannot be detected. */
        NONE,
        /** The checkpoint carries no MAC: it detects accidental truncation, not a forger's. */
        UNSIGNED,
        /** The checkpoint is signed, but no key was given, so its MAC was not checked. */
        SIGNED_NOT_CHECKED,
        /** The checkpoint's MAC matches the key given. */
        VERIFIED,
        /** The checkpoint is unreadable or its MAC does not match the key given. */
        INVALID
    }

    public AuditVerification {
        problems = List.copyOf(problems);
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (linesChecked < 0 || lastSeq < 0 || unlistedProblems < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
        if (ok != (problems.isEmpty() && unlistedProblems == 0)) {
            throw new IllegalArgumentException("ok must be true exactly when there are no problems");
        }
    }
}
