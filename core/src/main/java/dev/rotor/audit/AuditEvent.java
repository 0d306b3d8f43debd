package dev.rotor.audit;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One audited access to a secret. It says who did what to which secret and version and how it
 * ended; it never holds the value.
 *
 * @param time when the access ended (for a summary: the last access)
 * @param actor who acted: a principal name, never a credential
 * @param action what was done
 * @param store the store name
 * @param path the secret path (or list prefix)
 * @param versionId the version read or written, if known
 * @param selector the stage or version asked for, e.g. {@code stage=current}, if any
 * @param outcome how it ended
 * @param requestId correlates events of one request or rotation run
 * @param detail a short non-secret note: the error type, the stage moved, a reason
 * @param count 1 for a single access; for {@link AuditAction#CACHED_GET} the number of reads summarised
 * @param firstTime for a summary, the first access summarised; otherwise equal to {@code time}
 */
public record AuditEvent(
        Instant time,
        String actor,
        AuditAction action,
        String store,
        String path,
        @Nullable String versionId,
        @Nullable String selector,
        AuditOutcome outcome,
        String requestId,
        @Nullable String detail,
        long count,
        Instant firstTime) {

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(firstTime, "firstTime");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
    }

    /** A single access. */
    public static AuditEvent single(Instant time, String actor, AuditAction action, String store, String path,
            @Nullable String versionId, @Nullable String selector, AuditOutcome outcome, String requestId, @Nullable String detail) {
        return new AuditEvent(time, actor, action, store, path, versionId, selector, outcome, requestId, detail, 1, time);
    }
}
