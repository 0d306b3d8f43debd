package dev.rotor.internal.rotation;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A held rotation lease: the lease secret's version this holder wrote and what it says.
 *
 * @param path the rotated secret's path
 * @param leasePath where the lease record lives
 * @param versionId the lease secret's version that holds {@code record} (the CAS token for renewal)
 * @param prior the record this lease replaced: a released one, or an expired one of a dead holder
 */
public record Lease(String path, String leasePath, String versionId, LeaseRecord record, @Nullable LeaseRecord prior) {

    public Lease {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(leasePath, "leasePath");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(record, "record");
    }

    /** The run whose lease expired and was taken over by this one, if any. */
    public @Nullable String deadRunId() {
        return prior != null && prior.held() ? prior.runId() : null;
    }
}
