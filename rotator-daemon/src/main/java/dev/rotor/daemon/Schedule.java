package dev.rotor.daemon;

import dev.rotor.SecretRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The schedule arithmetic of a policy, with no clock of its own: every method takes the times it
 * works on, so the daemon, {@code rotor status} and tests agree.
 *
 * <ul>
 *   <li><b>due</b>: last success + interval, moved into the window (the opening that contains it,
 *       or the next), plus a jitter of up to {@code policy.jitter()} that is the same for the same
 *       seed, policy, ref and opening (so every node computes the same time), and never past the
 *       opening's end. A secret never rotated is due at once.
 *   <li><b>run at</b>: the due time; or, once it has passed, now if a window is open, else the
 *       next opening (plus jitter): a rotation missed while the daemon was down runs at the next
 *       window.
 *   <li><b>deadline</b>: the end of the due time's opening plus the slack (for a window that is
 *       always open: the due time plus the slack). No success by then is <em>overdue</em>.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class Schedule {

    /** Where a policy's secret stands. */
    public enum State { OK, DUE, OVERDUE }

    /**
     * The plan for one secret.
     *
     * @param lastSuccess the last successful rotation (creation of CURRENT), if any
     * @param due when the next rotation falls due
     * @param runAt when the daemon should run it, at or after {@code due} (see the class comment)
     * @param deadline no success by then is overdue
     */
    public record Plan(@Nullable Instant lastSuccess, Instant due, Instant runAt, Instant deadline) {
        public Plan {
            Objects.requireNonNull(due, "due");
            Objects.requireNonNull(runAt, "runAt");
            Objects.requireNonNull(deadline, "deadline");
        }

        public State state(Instant now) {
            if (now.isAfter(deadline)) {
                return State.OVERDUE;
            }
            return now.isBefore(due) ? State.OK : State.DUE;
        }

        /** Whether a rotation should run at {@code now}. */
        public boolean runnable(Instant now) {
            return !now.isBefore(runAt);
        }
    }

    private final long seed;
    private final Duration overdueSlack;

    public Schedule(long seed, Duration overdueSlack) {
        this.seed = seed;
        this.overdueSlack = Objects.requireNonNull(overdueSlack, "overdueSlack");
        if (overdueSlack.isNegative()) {
            throw new IllegalArgumentException("overdueSlack must not be negative");
        }
    }

    public static Schedule of(SchedulerSettings settings) {
        return new Schedule(settings.seed(), settings.overdueSlack());
    }

    /** The plan for {@code ref} under {@code policy} at {@code now}. */
    public Plan plan(Policy policy, SecretRef ref, @Nullable Instant lastSuccess, Instant now) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(now, "now");
        Instant base = lastSuccess == null ? now : lastSuccess.plus(policy.interval());
        Window window = policy.window();
        Window.Opening opening = window.openingAtOrAfter(base);
        Instant due = place(policy, ref, opening, later(base, opening.opens()));
        Instant deadline = window.always() ? due.plus(overdueSlack) : opening.closes().plus(overdueSlack);
        Instant runAt = due;
        if (due.isBefore(now)) {
            Window.Opening current = window.openingAtOrAfter(now);
            runAt = current.contains(now) ? now : place(policy, ref, current, current.opens());
        }
        return new Plan(lastSuccess, due, runAt, deadline);
    }

    /** {@code earliest} plus the jitter, kept inside the opening. */
    private Instant place(Policy policy, SecretRef ref, Window.Opening opening, Instant earliest) {
        Duration room = Duration.between(earliest, opening.closes());
        Duration range = policy.jitter().compareTo(room) < 0 ? policy.jitter() : room;
        long rangeMillis = range.toMillis();
        if (rangeMillis <= 1) {
            return earliest;
        }
        long offset = Math.floorMod(hash(policy.name(), ref, opening.opens()), rangeMillis);
        return earliest.plusMillis(offset);
    }

    private long hash(String policy, SecretRef ref, Instant opening) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        sha.update(ByteBuffer.allocate(16).putLong(seed).putLong(opening.getEpochSecond()).array());
        sha.update(policy.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(ref.format().getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * When to try again after a failed attempt: {@code initial} doubled per earlier attempt, at most
     * {@code max}; empty if that falls after the window's current opening closes (the next opening
     * is then the policy's next run).
     *
     * @param attempt 1 for the first retry
     */
    public static java.util.Optional<Instant> retryAt(Window window, Instant now, int attempt, Duration initial, Duration max) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
        Duration wait = initial;
        for (int i = 1; i < attempt && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        if (wait.compareTo(max) > 0) {
            wait = max;
        }
        Instant at = now.plus(wait);
        if (window.always()) {
            return java.util.Optional.of(at);
        }
        return window.openingContaining(now).filter(o -> o.contains(at)).map(o -> at);
    }
}
