package dev.rotor.daemon;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * When a policy's rotations may run: on {@code days}, from {@code start} to {@code end} wall-clock
 * time in {@code zone}. An {@code end} at or before {@code start} falls on the next day
 * ({@code 22:00-02:00}; {@code 00:00-24:00} is the whole day). The day is the day the window opens.
 *
 * <p>Daylight saving: a start that falls in a gap moves forward by the gap's length, an
 * ambiguous time takes the earlier offset; a window left with no length on such a day does not
 * open that day.
 */
public record Window(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {

    /** Every day, all day, UTC. */
    public static final Window ALWAYS = new Window(EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, ZoneId.of("UTC"));

    public Window {
        Objects.requireNonNull(days, "days");
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a window needs at least one day");
        }
        days = Set.copyOf(EnumSet.copyOf(days));
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(zone, "zone");
    }

    /** One opening of the window: {@code [opens, closes)}. */
    public record Opening(Instant opens, Instant closes) {
        public Opening {
            Objects.requireNonNull(opens, "opens");
            Objects.requireNonNull(closes, "closes");
            if (!closes.isAfter(opens)) {
                throw new IllegalArgumentException("an opening closes after it opens");
            }
        }

        public boolean contains(Instant t) {
            return !t.isBefore(opens) && t.isBefore(closes);
        }

        public Duration length() {
            return Duration.between(opens, closes);
        }
    }

    /** The wall-clock length of the window on a day without a clock change. */
    public Duration nominalLength() {
        Duration d = Duration.between(start, end);
        return d.isNegative() || d.isZero() ? d.plusDays(1) : d;
    }

    /** Whether the window is open at every instant. */
    public boolean always() {
        return days.size() == 7 && start.equals(end);
    }

    /** The opening on {@code date} (the day it opens), if the window opens that day. */
    public Optional<Opening> openingOn(LocalDate date) {
        if (!days.contains(date.getDayOfWeek())) {
            return Optional.empty();
        }
        ZonedDateTime opens = ZonedDateTime.of(date, start, zone);
        LocalDate endDate = end.isAfter(start) ? date : date.plusDays(1);
        ZonedDateTime closes = ZonedDateTime.of(endDate, end, zone);
        if (!closes.isAfter(opens)) {
            return Optional.empty();
        }
        return Optional.of(new Opening(opens.toInstant(), closes.toInstant()));
    }

    /**
     * The opening that contains {@code t}, or else the first one that opens after it. Looks up to
     * eight days ahead, which always finds one since the window opens on at least one weekday
     * (a day whose opening a clock change removes is skipped; the search goes on another week).
     */
    public Opening openingAtOrAfter(Instant t) {
        LocalDate day = t.atZone(zone).toLocalDate().minusDays(1);
        for (int i = 0; i < 15; i++) {
            Optional<Opening> o = openingOn(day.plusDays(i));
            if (o.isPresent() && o.get().closes().isAfter(t)) {
                return o.get();
            }
        }
        throw new IllegalStateException("window " + this + " has no opening within two weeks of " + t);
    }

    /** The opening that contains {@code t}, if any. */
    public Optional<Opening> openingContaining(Instant t) {
        Opening o = openingAtOrAfter(t);
        return o.contains(t) ? Optional.of(o) : Optional.empty();
    }
}
