package dev.rotor.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Waits for something that a real process, server or thread makes happen on its own time (a
 * child JVM writing its report, a daemon's audit log growing, a stream reconnecting), by polling.
 * There is no clock to move there: a test that can use a {@link TestClock} has no need of this.
 *
 * <pre>{@code
 * Await.that("the daemon ready").detail(() -> read("err.txt"))
 *         .until(Duration.ofSeconds(60), () -> read("out.txt").contains("rotor daemon ready"));
 * Await.that("all 200 secrets rotated")
 *         .whileProgressing(Duration.ofSeconds(45), this::rotatedPaths, n -> n >= 200);
 * }</pre>
 *
 * <p>A wait fails with an {@link AssertionError} that names what was awaited and for how long,
 * followed by the {@linkplain #detail detail}, if any. An exception thrown by the condition or
 * the progress measure ends the wait at once and reaches the caller unchanged, so a condition
 * may check on the way that the process it waits on is still alive.
 *
 * <p>Immutable and thread-safe; each wait runs on the calling thread, which calls the condition
 * and sleeps between polls. An interrupt ends the wait with {@link InterruptedException}.
 */
public final class Await {

    /** How long a wait sleeps between two polls unless told otherwise. */
    public static final Duration DEFAULT_POLL = Duration.ofMillis(10);

    /** A condition to wait for; it may throw, which ends the wait. */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        boolean holds() throws E;
    }

    /** A measure of progress (a count, a size, a set of names): a new value is progress. */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        T get() throws E;
    }

    /** Where the time comes from and how a wait sleeps; the unit tests of this class use a fake one. */
    interface Ticker {
        long nanoTime();

        void sleep(Duration d) throws InterruptedException;
    }

    private static final Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            Thread.sleep(d);
        }
    };

    private final String what;
    private final Duration poll;
    private final @Nullable Supplier<String> detail;
    private final Ticker ticker;

    private Await(String what, Duration poll, @Nullable Supplier<String> detail, Ticker ticker) {
        this.what = Objects.requireNonNull(what, "what");
        this.poll = positive(poll, "poll");
        this.detail = detail;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** A wait for {@code what}, as the failure message will say it ("the child to start"). */
    public static Await that(String what) {
        return new Await(what, DEFAULT_POLL, null, SYSTEM);
    }

    static Await that(String what, Ticker ticker) {
        return new Await(what, DEFAULT_POLL, null, ticker);
    }

    /** The same wait, sleeping {@code poll} between two polls: longer where one poll is costly. */
    public Await pollEvery(Duration poll) {
        return new Await(what, poll, detail, ticker);
    }

    /**
     * The same wait, adding what {@code detail} says at the time of a failure to its message
     * (a child's output, the state reached so far).
     */
    public Await detail(Supplier<String> detail) {
        return new Await(what, poll, Objects.requireNonNull(detail, "detail"), ticker);
    }

    /**
     * Returns as soon as {@code condition} holds; fails if it still does not after
     * {@code timeout}. The condition is checked once more when the time is up.
     */
    public <E extends Exception> void until(Duration timeout, Condition<E> condition) throws E, InterruptedException {
        positive(timeout, "timeout");
        Objects.requireNonNull(condition, "condition");
        long start = ticker.nanoTime();
        while (!condition.holds()) {
            long left = timeout.toNanos() - (ticker.nanoTime() - start);
            if (left <= 0) {
                throw failure("timed out after " + timeout + " waiting for " + what);
            }
            ticker.sleep(Duration.ofNanos(Math.min(left, poll.toNanos())));
        }
    }

    /**
     * Returns the measure once {@code done} accepts it; fails only if the measure has not
     * changed for {@code stall}. The condition is "keeps going", not "is fast": a loaded machine
     * makes the wait longer, a stuck system makes it fail.
     */
    public <T, E extends Exception> T whileProgressing(Duration stall, Probe<T, E> progress, Predicate<? super T> done)
            throws E, InterruptedException {
        positive(stall, "stall");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(done, "done");
        long start = ticker.nanoTime();
        T last = progress.get();
        long lastChange = start;
        while (!done.test(last)) {
            long still = ticker.nanoTime() - lastChange;
            if (still >= stall.toNanos()) {
                throw failure("no progress for " + stall + " waiting for " + what + " (stuck at " + last + " after "
                        + Duration.ofNanos(ticker.nanoTime() - start) + " in all)");
            }
            ticker.sleep(Duration.ofNanos(Math.min(stall.toNanos() - still, poll.toNanos())));
            T now = progress.get();
            if (!Objects.equals(now, last)) {
                last = now;
                lastChange = ticker.nanoTime();
            }
        }
        return last;
    }

    private AssertionError failure(String message) {
        return new AssertionError(detail == null ? message : message + "\n" + detail.get());
    }

    private static Duration positive(Duration d, String name) {
        if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
