package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Most cases run on a fake ticker whose sleep moves its time, so that what they check does not
 * hang on how busy the machine is; two cases wait for real, briefly.
 */
class AwaitTest {

    /** Time moves only when the wait sleeps; every sleep is recorded. */
    private static final class FakeTicker implements Await.Ticker {
        long now = 1_000_000_000L;
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            sleeps.add(d);
            now += d.toNanos();
        }

        Duration elapsed() {
            return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
        }
    }

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void aConditionThatHoldsReturnsWithoutSleeping() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Await.that("ready", ticker).until(Duration.ofSeconds(1), () -> calls.incrementAndGet() > 0);
        assertThat(calls).hasValue(1);
        assertThat(ticker.sleeps).isEmpty();
    }

    @Test
    void aConditionIsPolledAtThePollIntervalUntilItHolds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Await.that("the fourth poll", ticker).pollEvery(Duration.ofMillis(50)).until(Duration.ofSeconds(1), () -> calls.incrementAndGet() == 4);
        assertThat(calls).hasValue(4);
        assertThat(ticker.sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50));
    }

    @Test
    void theDefaultPollIsShort() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Await.that("the second poll", ticker).until(Duration.ofSeconds(1), () -> calls.incrementAndGet() == 2);
        assertThat(ticker.sleeps).containsExactly(Await.DEFAULT_POLL);
        assertThat(Await.DEFAULT_POLL).isLessThanOrEqualTo(Duration.ofMillis(20));
    }

    @Test
    void aTimeoutFailsNamingWhatWasAwaitedForHowLongWithTheDetail() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Await.that("the child to start", ticker).pollEvery(Duration.ofMillis(30))
                .detail(() -> "child output: started 0 of 1 after " + calls.get() + " polls")
                .until(Duration.ofMillis(100), () -> {
                    calls.incrementAndGet();
                    return false;
                }))
                .isInstanceOf(AssertionError.class)
                .hasMessage("timed out after PT0.1S waiting for the child to start\nchild output: started 0 of 1 after 5 polls");
        // The last sleep is cut to the deadline, and the condition is checked once more then.
        assertThat(ticker.sleeps).containsExactly(Duration.ofMillis(30), Duration.ofMillis(30), Duration.ofMillis(30), Duration.ofMillis(10));
        assertThat(ticker.elapsed()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aConditionThatHoldsAtTheDeadlineStillCounts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Await.that("the last chance", ticker).pollEvery(Duration.ofMillis(60))
                .until(Duration.ofMillis(100), () -> ticker.now >= 1_000_000_000L + Duration.ofMillis(100).toNanos() && calls.incrementAndGet() > 0);
        assertThat(calls).hasValue(1);
        assertThat(ticker.elapsed()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void anExceptionFromTheConditionEndsTheWaitUnchanged() {
        IOException gone = new IOException("report file unreadable");
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Await.that("the report", ticker).until(Duration.ofSeconds(1), () -> {
            if (calls.incrementAndGet() == 3) {
                throw gone;
            }
            return false;
        })).isSameAs(gone);
        assertThat(ticker.sleeps).hasSize(2);
    }

    @Test
    void aStalledMeasureFailsAfterTheStallTimeout() {
        AtomicInteger polls = new AtomicInteger();
        // Grows to 3, then stops.
        assertThatThrownBy(() -> Await.that("all 10 rotated", ticker).pollEvery(Duration.ofMillis(100))
                .detail(() -> "node output")
                .whileProgressing(Duration.ofSeconds(1), () -> Math.min(polls.incrementAndGet(), 3), n -> n >= 10))
                .isInstanceOf(AssertionError.class)
                .hasMessage("no progress for PT1S waiting for all 10 rotated (stuck at 3 after PT1.2S in all)\nnode output");
        // Two polls of growth, then a full second without change.
        assertThat(ticker.elapsed()).isEqualTo(Duration.ofMillis(1200));
    }

    @Test
    void progressKeepsTheWaitAliveFarBeyondTheStallTimeout() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        // One step every 9 polls of 100 ms: never still for a whole second, done after 45 s.
        int reached = Await.that("all 50 rotated", ticker).pollEvery(Duration.ofMillis(100))
                .whileProgressing(Duration.ofSeconds(1), () -> polls.incrementAndGet() / 9, n -> n >= 50);
        assertThat(reached).isEqualTo(50);
        assertThat(ticker.elapsed()).isGreaterThan(Duration.ofSeconds(40));
    }

    @Test
    void anyChangeOfTheMeasureIsProgressNotOnlyGrowth() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        String reached = Await.that("the last phase", ticker).pollEvery(Duration.ofMillis(400))
                .whileProgressing(Duration.ofSeconds(1), () -> switch (polls.incrementAndGet() / 2) {
                    case 0 -> "b";
                    case 1 -> "a";
                    case 2 -> "c";
                    default -> "done";
                }, "done"::equals);
        assertThat(reached).isEqualTo("done");
    }

    @Test
    void aMeasureDoneAtOnceReturnsWithoutSleeping() throws Exception {
        assertThat(Await.that("nothing to do", ticker).whileProgressing(Duration.ofSeconds(1), () -> 7L, n -> n >= 7)).isEqualTo(7L);
        assertThat(ticker.sleeps).isEmpty();
    }

    @Test
    void timesMustBePositive() {
        assertThatThrownBy(() -> Await.that("x").until(Duration.ZERO, () -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
        assertThatThrownBy(() -> Await.that("x").pollEvery(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("poll must be positive, was PT-0.001S");
        assertThatThrownBy(() -> Await.that("x").whileProgressing(Duration.ZERO, () -> 1, n -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stall must be positive, was PT0S");
    }

    // ---- on real time -----------------------------------------------------------------------

    @Test
    void waitsForAnotherThreadForReal() throws Exception {
        AtomicBoolean set = new AtomicBoolean();
        CountDownLatch polled = new CountDownLatch(3);
        Thread setter = Thread.ofPlatform().start(() -> {
            try {
                polled.await(); // set only once the wait has polled a few times in vain
                set.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Await.that("the flag").pollEvery(Duration.ofMillis(1)).until(Duration.ofSeconds(30), () -> {
            polled.countDown();
            return set.get();
        });
        assertThat(set).isTrue();
        setter.join();
    }

    @Test
    void anInterruptEndsAWait() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Await.that("never").until(Duration.ofSeconds(30), () -> false))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }
}
