package dev.rotor.audit;

import dev.rotor.audit.AuditVerification.CheckpointStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link AuditLogVerifier#verifyLog} found in all the files of one audit log.
 *
 * @param ok true if no problem was found
 * @param files the files checked, in chain order (the file being written last)
 * @param linesChecked lines read over all files
 * @param firstSeq the seq the remaining log starts at: 1, or one past the seq the anchor records
 * @param lastSeq the seq of the last line that continues the chain in order
 * @param problems the first {@link AuditLogVerifier#MAX_PROBLEMS} problems: the anchor's first,
 *     then by file and line
 * @param unlistedProblems how many more problems were found but not listed
 * @param checkpoint what the checkpoint could vouch for (the end of the log)
 * @param anchor what the anchor could vouch for (the start of the log after deletions);
 *     {@link CheckpointStatus#NONE} when nothing was ever deleted
 */
public record AuditLogVerification(
        boolean ok,
        List<Path> files,
        long linesChecked,
        long firstSeq,
        long lastSeq,
        List<AuditFileProblem> problems,
        long unlistedProblems,
        CheckpointStatus checkpoint,
        CheckpointStatus anchor) {

    public AuditLogVerification {
        files = List.copyOf(files);
        problems = List.copyOf(problems);
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(anchor, "anchor");
        if (ok != (problems.isEmpty() && unlistedProblems == 0)) {
            throw new IllegalArgumentException("ok must be true exactly when there are no problems");
        }
    }
}
