package dev.rotor.rotation;

import dev.rotor.RotorException;
import dev.rotor.SecretRef;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Another run holds the secret's rotation lease. Try again after {@link #until()}: by then the
 * holder has finished, or, if it died, its lease has expired and the next run resumes its work.
 */
public class RotationInProgressException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final SecretRef ref;
    private final String holder;
    private final Instant until;
    private final @Nullable String runId;

    public RotationInProgressException(SecretRef ref, String holder, Instant until, @Nullable String runId) {
        super("rotation in progress for " + ref + " held by " + holder + " until " + until
                + (runId == null ? "" : " (run " + runId + ")"));
        this.ref = Objects.requireNonNull(ref, "ref");
        this.holder = Objects.requireNonNull(holder, "holder");
        this.until = Objects.requireNonNull(until, "until");
        this.runId = runId;
    }

    public SecretRef ref() {
        return ref;
    }

    /** Who holds the lease (an engine's holder name: host, process, instance). */
    public String holder() {
        return holder;
    }

    /** When the lease expires unless its holder renews it. */
    public Instant until() {
        return until;
    }

    public @Nullable String runId() {
        return runId;
    }
}
