package dev.rotor.store;

/** How reads served from the cache are audited. */
public enum HitAudit {
    /**
     * Count cache hits per (actor, path) in memory and write one
     * {@link dev.rotor.audit.AuditAction#CACHED_GET CACHED_GET} event per pair every summary
     * interval. A hit then costs a few counter updates and no I/O.
     */
    SUMMARY,
    /** Write one event per cache hit, before the value is returned: every hit waits for the sink. */
    EACH
}
