package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TestClockTest {

    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void movesOnlyWhenTheTestMovesIt() {
        TestClock clock = new TestClock(START);
        assertThat(clock.instant()).isEqualTo(START);
        clock.advance(Duration.ofMinutes(5));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(300));
        assertThat(clock.millis()).isEqualTo(START.plusSeconds(300).toEpochMilli());
    }

    @Test
    void advanceRefusesToGoBackButSetMayStepBack() {
        TestClock clock = new TestClock(START);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        clock.set(START.minusSeconds(60));
        assertThat(clock.instant()).isEqualTo(START.minusSeconds(60));
    }
}
