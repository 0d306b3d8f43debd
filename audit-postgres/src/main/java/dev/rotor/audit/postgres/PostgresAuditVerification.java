package dev.rotor.audit.postgres;

import dev.rotor.audit.AuditVerification.CheckpointStatus;
import java.util.List;
import java.util.Objects;

/**
 * What {@link PostgresAuditSink#verify} found.
 *
 * @param ok true if no problem was found
 * @param rowsChecked the rows read
 * @param firstSeq the seq the table starts at: one past the anchor's (1 before any pruning)
 * @param lastSeq the seq of the last row read, or the anchor's when there is none
 * @param problems the first {@link PostgresAuditVerifier#MAX_PROBLEMS} problems, each starting with
 *     the seq or mark it concerns; never the content of a row
 * @param unlistedProblems how many more problems were found but not listed
 * @param head what the head mark could vouch for (the end of the table)
 * @param anchor what the anchor mark could vouch for (the start of the table after pruning)
 */
public record PostgresAuditVerification(
        boolean ok,
        long rowsChecked,
        long firstSeq,
        long lastSeq,
        List<String> problems,
        long unlistedProblems,
        CheckpointStatus head,
        CheckpointStatus anchor) {

    public PostgresAuditVerification {
        problems = List.copyOf(problems);
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(anchor, "anchor");
        if (ok != (problems.isEmpty() && unlistedProblems == 0)) {
            throw new IllegalArgumentException("ok must be true exactly when there are no problems");
        }
    }
}
