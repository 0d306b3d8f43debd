package dev.rotor.internal.rotation;

import dev.rotor.ConflictException;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.StoreReads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotation leases built only on the {@link SecretStore} contract. The lease of secret {@code p}
 * is the CURRENT version of the secret {@code <prefix>p}, a {@link LeaseRecord}. A holder takes
 * or renews it by writing its record as PENDING and promoting that version with a
 * compare-and-set on the CURRENT it read, so of several takers exactly one wins; the others
 * re-read and see the winner's record. An expired record is taken over the same way.
 *
 * <p>The lease secret's very first version is a free record written with a fixed idempotency
 * key, so that two processes creating it at once write (and then race for) the same version.
 *
 * <p>Thread-safe; holds no lock and no state besides its configuration.
 */
public final class Leases {

    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
    private static final String BOOTSTRAP_KEY = "rotor-lease-bootstrap";
    private static final int ATTEMPTS = 4;

    private final SecretStore store;
    private final Clock clock;
    private final Duration duration;
    private final String prefix;
    private final String holder;

    public Leases(SecretStore store, Clock clock, Duration duration, String prefix, String holder) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.duration = Objects.requireNonNull(duration, "duration");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.holder = Objects.requireNonNull(holder, "holder");
    }

    public Duration duration() {
        return duration;
    }

    public String holder() {
        return holder;
    }

    /** @throws dev.rotor.InvalidSecretRefException if {@code <prefix><path>} is not a valid path (too long) */
    public String leasePath(String path) {
        String lp = prefix + path;
        SecretRef.checkPath(lp);
        return lp;
    }

    /** The lease record of {@code path} as it stands, if the lease secret exists. */
    public @Nullable LeaseRecord read(String path) {
        Current c = readCurrent(leasePath(path));
        return c == null ? null : c.record;
    }

    private record Current(String versionId, LeaseRecord record) {}

    /** The lease record as it stands, read past any cache layer ({@link StoreReads}). */
    private @Nullable Current readCurrent(String leasePath) {
        Secret s = StoreReads.current(store, leasePath).orElse(null);
        if (s == null) {
            return null;
        }
        try {
            return new Current(s.version().id(), LeaseRecord.parse(leasePath, s.value()));
        } finally {
            s.value().destroy();
        }
    }

    /**
     * Takes the lease of {@code path} for a run.
     *
     * @throws RotationInProgressException if another run holds an unexpired lease
     */
    public Lease acquire(String path, String runId, String rotator, String step, boolean emergency,
            @Nullable String reason, @Nullable String actor) {
        String leasePath = leasePath(path);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Current cur = readCurrent(leasePath);
            if (cur == null) {
                Instant now = clock.instant();
                store.put(leasePath, LeaseRecord.free(now).toValue(), PutOptions.current().withIdempotencyKey(BOOTSTRAP_KEY));
                continue;
            }
            Instant now = clock.instant();
            if (cur.record.activeAt(now)) {
                throw new RotationInProgressException(SecretRef.of(store.name(), path), cur.record.holder(),
                        cur.record.expires(), cur.record.runId());
            }
            LeaseRecord mine = new LeaseRecord(true, holder, runId, rotator, now, now.plus(duration), step, emergency, reason, actor);
            String won = swap(leasePath, cur.versionId, mine);
            if (won != null) {
                if (cur.record.held()) {
                    LOG.info("took over the expired rotation lease of {} from {} (run {}, expired {})", path,
                            cur.record.holder(), cur.record.runId(), cur.record.expires());
                }
                return new Lease(path, leasePath, won, mine, cur.record);
            }
            LOG.debug("lost the race for the rotation lease of {} (attempt {})", path, attempt);
        }
        // Every attempt lost a race: others are taking the lease right now.
        Current cur = readCurrent(leasePath);
        LeaseRecord r = cur == null ? null : cur.record;
        throw new RotationInProgressException(SecretRef.of(store.name(), path), r == null ? "another holder" : r.holder(),
                r == null ? clock.instant().plus(duration) : r.expires(), r == null ? null : r.runId());
    }

    /**
     * Writes a renewed record (new expiry, run, step) over the one this holder wrote last.
     *
     * @throws LeaseLostException if another holder took the lease meanwhile
     */
    public Lease renew(Lease lease, String runId, String step) {
        Instant now = clock.instant();
        LeaseRecord next = lease.record().renewed(now.plus(duration), runId, step);
        String won = swap(lease.leasePath(), lease.versionId(), next);
        if (won == null) {
            Current cur = readCurrent(lease.leasePath());
            throw new LeaseLostException("lost the rotation lease of " + SecretRef.of(store.name(), lease.path())
                    + (cur == null ? "" : " to " + cur.record.holder() + " (run " + cur.record.runId() + ")")
                    + "; that holder finishes the run");
        }
        return new Lease(lease.path(), lease.leasePath(), won, next, lease.prior());
    }

    /**
     * Makes sure this holder still holds the lease before a step with side effects: renews it
     * once less than half of it is left. While more is left no one else can have taken it.
     *
     * @throws LeaseLostException if the lease expired and another holder took it
     */
    public Lease fence(Lease lease, String step) {
        Instant now = clock.instant();
        if (now.plus(duration.dividedBy(2)).isBefore(lease.record().expires())) {
            return lease;
        }
        return renew(lease, Objects.requireNonNull(lease.record().runId()), step);
    }

    /**
     * Releases the lease, keeping the run id and outcome on record. Never throws; false if it
     * could not. While more than half of the lease is left nobody else can have taken it, so the
     * free record is simply written (one write); later it is swapped in with a compare-and-set.
     */
    public boolean release(Lease lease, String outcome) {
        try {
            Instant now = clock.instant();
            LeaseRecord free = lease.record().released(now, outcome);
            if (now.plus(duration.dividedBy(2)).isBefore(lease.record().expires())) {
                store.put(lease.leasePath(), free.toValue(), PutOptions.current());
                return true;
            }
            String won = swap(lease.leasePath(), lease.versionId(), free);
            if (won == null) {
                LOG.warn("the rotation lease of {} was taken over before this run released it", lease.path());
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            // The lease then expires on its own; the next run finds this run's outcome in the store.
            LOG.warn("could not release the rotation lease of {}: {}", lease.path(), describe(e));
            return false;
        }
    }

    /** PENDING + compare-and-set promote; the version id on success, null if someone else moved CURRENT first. */
    private @Nullable String swap(String leasePath, String expectedCurrent, LeaseRecord record) {
        SecretValue value = record.toValue();
        VersionInfo mine = store.put(leasePath, value, PutOptions.pending());
        try {
            store.promote(leasePath, mine.id(), expectedCurrent);
            return mine.id();
        } catch (ConflictException e) {
            try {
                store.moveStage(leasePath, Stage.PENDING, null, mine.id());
            } catch (ConflictException | SecretNotFoundException ignored) {
                // another taker's PENDING is there now, or ours is gone: nothing of ours to clean
            }
            return null;
        }
    }

    static String describe(Throwable e) {
        return e instanceof RotorException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getClass().getName();
    }
}
