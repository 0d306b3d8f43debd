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
    DELETE
}
