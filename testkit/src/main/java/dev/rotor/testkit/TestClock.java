package dev.rotor.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock a test moves by hand, so that leases expire and grace periods end without waiting.
 * Thread-safe: the time is one volatile field.
 */
public final class TestClock extends Clock {

    private volatile Instant now;

    public TestClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** A clock starting at the current time, to the millisecond. */
    public static TestClock startingNow() {
        return new TestClock(Instant.ofEpochMilli(System.currentTimeMillis()));
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a test clock only moves forward");
        }
        now = now.plus(d);
    }

    /** Sets the clock to {@code instant}, which may be earlier than now (a clock stepped back). */
    public void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock is always UTC");
    }
}
