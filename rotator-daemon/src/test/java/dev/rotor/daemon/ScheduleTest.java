package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.SecretRef;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final SecretRef REF = SecretRef.parse("secret://main/db/app");
    private static final Window NIGHTS = new Window(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(2, 0),
            LocalTime.of(5, 0), BERLIN);
    private final Schedule schedule = new Schedule(42, Duration.ofHours(1));

    private static Policy policy(Window window, Duration interval, Duration jitter) {
        return new Policy("app-db", new PolicyTarget.Single(REF), "app-db", interval, window, jitter, Duration.ofDays(1), List.of());
    }

    private static Instant berlin(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), BERLIN).toInstant();
    }

    @Test
    void dueIsLastSuccessPlusIntervalWhenThatIsInsideTheWindow() {
        // Wednesday 2026-01-07 03:00 + 7 days = Wednesday 2026-01-14 03:00, inside 02:00-05:00.
        Schedule.Plan plan = schedule.plan(policy(NIGHTS, Duration.ofDays(7), Duration.ZERO), REF, berlin("2026-01-07T03:00"),
                berlin("2026-01-10T12:00"));
        assertThat(plan.due()).isEqualTo(berlin("2026-01-14T03:00"));
        assertThat(plan.runAt()).isEqualTo(plan.due());
        assertThat(plan.deadline()).isEqualTo(berlin("2026-01-14T06:00"));
        assertThat(plan.state(berlin("2026-01-10T12:00"))).isEqualTo(Schedule.State.OK);
        assertThat(plan.state(berlin("2026-01-14T04:00"))).isEqualTo(Schedule.State.DUE);
        assertThat(plan.state(berlin("2026-01-14T06:00:01"))).isEqualTo(Schedule.State.OVERDUE);
    }

    @Test
    void dueOutsideTheWindowMovesToTheNextOpeningSkippingTheWeekend() {
        // Friday 2026-01-09 12:00 + 1 day = Saturday noon; next opening Monday 2026-01-12 02:00.
        Schedule.Plan plan = schedule.plan(policy(NIGHTS, Duration.ofDays(1), Duration.ZERO), REF, berlin("2026-01-09T12:00"),
                berlin("2026-01-09T12:00"));
        assertThat(plan.due()).isEqualTo(berlin("2026-01-12T02:00"));
        assertThat(plan.deadline()).isEqualTo(berlin("2026-01-12T06:00"));
    }

    @Test
    void jitterIsDeterministicPerSeedPolicyAndRefAndStaysInsideTheWindow() {
        Policy p = policy(NIGHTS, Duration.ofDays(1), Duration.ofMinutes(30));
        Instant last = berlin("2026-01-12T01:00");
        Instant now = berlin("2026-01-12T12:00");
        Instant due = schedule.plan(p, REF, last, now).due();
        assertThat(due).isBetween(berlin("2026-01-13T02:00"), berlin("2026-01-13T02:30"));
        assertThat(new Schedule(42, Duration.ofHours(1)).plan(p, REF, last, now).due()).isEqualTo(due);

        Set<Instant> spread = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            SecretRef other = SecretRef.parse("secret://main/db/app" + i);
            Instant d = schedule.plan(p, other, last, now).due();
            assertThat(d).isBetween(berlin("2026-01-13T02:00"), berlin("2026-01-13T02:30"));
            spread.add(d);
        }
        assertThat(spread).as("jitter spreads refs over the range").hasSizeGreaterThan(15);
        assertThat(new Schedule(43, Duration.ofHours(1)).plan(p, REF, last, now).due()).isNotEqualTo(due);

        // Due 10 minutes before the window closes: jitter is cut to what is left.
        Instant lateBase = berlin("2026-01-13T04:50").minus(Duration.ofDays(1));
        assertThat(schedule.plan(p, REF, lateBase, now).due()).isBetween(berlin("2026-01-13T04:50"), berlin("2026-01-13T05:00"));
    }

    @Test
    void aRotationMissedWhileDownRunsAtTheNextWindowOrAtOnceInsideOne() {
        Policy p = policy(NIGHTS, Duration.ofDays(1), Duration.ZERO);
        Instant last = berlin("2026-01-12T03:00"); // due Tuesday 03:00
        Schedule.Plan afterWindow = schedule.plan(p, REF, last, berlin("2026-01-13T10:00"));
        assertThat(afterWindow.due()).isEqualTo(berlin("2026-01-13T03:00"));
        assertThat(afterWindow.runAt()).isEqualTo(berlin("2026-01-14T02:00"));
        assertThat(afterWindow.state(berlin("2026-01-13T10:00"))).isEqualTo(Schedule.State.OVERDUE);

        Schedule.Plan insideLaterWindow = schedule.plan(p, REF, last, berlin("2026-01-14T04:00"));
        assertThat(insideLaterWindow.runAt()).isEqualTo(berlin("2026-01-14T04:00"));
        assertThat(insideLaterWindow.runnable(berlin("2026-01-14T04:00"))).isTrue();
    }

    @Test
    void aSecretNeverRotatedIsDueAtOnce() {
        Instant now = berlin("2026-01-14T03:30");
        Schedule.Plan plan = schedule.plan(policy(NIGHTS, Duration.ofDays(90), Duration.ZERO), REF, null, now);
        assertThat(plan.due()).isEqualTo(now);
        assertThat(plan.runnable(now)).isTrue();
    }

    @Test
    void anAlwaysOpenWindowHasItsDeadlineAtDuePlusSlack() {
        Instant last = Instant.parse("2026-01-01T10:00:00Z");
        Schedule.Plan plan = schedule.plan(policy(Window.ALWAYS, Duration.ofDays(90), Duration.ZERO), REF, last, last);
        assertThat(plan.due()).isEqualTo(Instant.parse("2026-04-01T10:00:00Z"));
        assertThat(plan.deadline()).isEqualTo(Instant.parse("2026-04-01T11:00:00Z"));
    }

    @Test
    void springForwardRemovesAWindowThatLiesInTheGap() {
        // Berlin skips 02:00-03:00 on Sunday 2026-03-29: a 02:00-03:00 window does not open that day.
        Window gap = new Window(EnumSet.allOf(DayOfWeek.class), LocalTime.of(2, 0), LocalTime.of(3, 0), BERLIN);
        Schedule.Plan plan = schedule.plan(policy(gap, Duration.ofDays(1), Duration.ZERO), REF, berlin("2026-03-28T02:30"),
                berlin("2026-03-28T12:00"));
        assertThat(plan.due()).isEqualTo(berlin("2026-03-30T02:00"));
        assertThat(plan.due()).isEqualTo(Instant.parse("2026-03-30T00:00:00Z"));
    }

    @Test
    void springForwardKeepsWallClockTimesOfAWindowAroundTheGap() {
        // 01:00-04:00 on 2026-03-29 lasts two real hours (00:00Z to 02:00Z).
        Window w = new Window(EnumSet.allOf(DayOfWeek.class), LocalTime.of(1, 0), LocalTime.of(4, 0), BERLIN);
        Window.Opening o = w.openingOn(java.time.LocalDate.of(2026, 3, 29)).orElseThrow();
        assertThat(o.opens()).isEqualTo(Instant.parse("2026-03-29T00:00:00Z"));
        assertThat(o.closes()).isEqualTo(Instant.parse("2026-03-29T02:00:00Z"));
        Schedule.Plan plan = schedule.plan(policy(w, Duration.ofDays(1), Duration.ZERO), REF, Instant.parse("2026-03-28T01:30:00Z"),
                Instant.parse("2026-03-28T01:30:00Z"));
        // 2026-03-28 02:30 CET + 24h = 2026-03-29 01:30Z = 03:30 CEST: inside the window.
        assertThat(plan.due()).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
        assertThat(plan.deadline()).isEqualTo(Instant.parse("2026-03-29T03:00:00Z"));
    }

    @Test
    void fallBackLengthensAWindowSpanningTheRepeatedHour() {
        // Berlin repeats 02:00-03:00 on Sunday 2026-10-25: 02:00-03:00 opens at the first 02:00 (CEST) and lasts two hours.
        Window w = new Window(EnumSet.allOf(DayOfWeek.class), LocalTime.of(2, 0), LocalTime.of(3, 0), BERLIN);
        Window.Opening o = w.openingOn(java.time.LocalDate.of(2026, 10, 25)).orElseThrow();
        assertThat(o.opens()).isEqualTo(Instant.parse("2026-10-25T00:00:00Z"));
        assertThat(o.closes()).isEqualTo(Instant.parse("2026-10-25T02:00:00Z"));
    }

    @Test
    void aWindowCrossingMidnightBelongsToTheDayItOpens() {
        Window w = new Window(EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), LocalTime.of(2, 0), ZoneId.of("UTC"));
        Schedule.Plan plan = schedule.plan(policy(w, Duration.ofDays(1), Duration.ZERO), REF, Instant.parse("2026-01-09T00:30:00Z"),
                Instant.parse("2026-01-09T12:00:00Z"));
        // Saturday 00:30 is inside Friday's opening (22:00 to 02:00).
        assertThat(plan.due()).isEqualTo(Instant.parse("2026-01-10T00:30:00Z"));
        assertThat(plan.deadline()).isEqualTo(Instant.parse("2026-01-10T03:00:00Z"));
    }

    @Test
    void retriesBackOffAndStopAtTheEndOfTheOpening() {
        Instant now = berlin("2026-01-13T02:00");
        Duration initial = Duration.ofMinutes(10);
        Duration max = Duration.ofMinutes(45);
        assertThat(Schedule.retryAt(NIGHTS, now, 1, initial, max)).contains(berlin("2026-01-13T02:10"));
        assertThat(Schedule.retryAt(NIGHTS, now, 2, initial, max)).contains(berlin("2026-01-13T02:20"));
        assertThat(Schedule.retryAt(NIGHTS, now, 3, initial, max)).contains(berlin("2026-01-13T02:40"));
        assertThat(Schedule.retryAt(NIGHTS, now, 4, initial, max)).contains(berlin("2026-01-13T02:45"));
        assertThat(Schedule.retryAt(NIGHTS, berlin("2026-01-13T04:40"), 2, initial, max)).isEmpty();
        assertThat(Schedule.retryAt(NIGHTS, berlin("2026-01-13T12:00"), 1, initial, max)).isEmpty();
        assertThat(Schedule.retryAt(Window.ALWAYS, now, 9, initial, max)).contains(now.plus(max));
    }
}
