package dev.rotor.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations written in {@code rotor.yaml}: a whole number with a unit
 * ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 90d}) or ISO-8601
 * ({@code PT5M}, {@code P90D}, {@code P1DT12H}).
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

    /** What a reader is told when a value does not parse. */
    public static final String FORMATS = "use a number with a unit (500ms, 30s, 5m, 12h, 90d) or ISO-8601 such as PT5M";

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException saying what is wrong; the message quotes the text, which
     *     is configuration and never a secret
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("duration is empty; " + FORMATS);
        }
        Matcher m = SHORT.matcher(t);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    default -> throw new IllegalStateException("unit " + m.group(2));
                };
            }
            char first = Character.toUpperCase(t.charAt(0));
            if (first == 'P' || ((first == '-' || first == '+') && t.length() > 1 && Character.toUpperCase(t.charAt(1)) == 'P')) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + t + "' is too long a duration");
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + t + "' is not an ISO-8601 duration; " + FORMATS);
        }
        if (t.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + t + "' has no unit; " + FORMATS);
        }
        throw new IllegalArgumentException("'" + t + "' is not a duration; " + FORMATS);
    }

    /** The shortest exact short form: {@code 90d}, {@code 5m}, {@code 1500ms}; ISO-8601 if negative. */
    public static String format(Duration d) {
        Objects.requireNonNull(d, "d");
        if (d.isNegative()) {
            return d.toString();
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = d.getSeconds();
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
