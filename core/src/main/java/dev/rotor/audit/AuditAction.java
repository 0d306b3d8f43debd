package dev.rotor.audit;

/** What was done to a secret. */
public enum AuditAction {
    GET,
    /** A periodic summary of reads served from the in-process cache (see {@link AuditEvent#count()}). */
    CACHED_GET,
    PUT,
    VERSIONS,
    PROMOTE,
    MOVE_STAGE,
    LIST,
    DELETE,
    /** A rotation run began (or a run left by a dead process was resumed); the detail names the rotator and the reason. */
    ROTATION_STARTED,
    /** A rotation run completed one step; the detail names the step. */
    ROTATION_STEP,
    /** A rotation run promoted its new version: {@code versionId} is the new CURRENT. */
    ROTATION_SUCCEEDED,
    /** A rotation run failed; the detail names the step, the error type and whether it was rolled back. */
    ROTATION_FAILED,
    /** A rotation run's changes were undone: the target rolled back and PENDING removed. */
    ROTATION_ROLLED_BACK,
    /** A PREVIOUS credential was revoked on its target: {@code versionId} is the retired version. */
    ROTATION_RETIRED,
    /** A call to the admin API; the detail names the method, route and status, the actor the caller. */
    API_CALL
}
