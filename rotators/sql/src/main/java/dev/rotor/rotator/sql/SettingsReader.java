package dev.rotor.rotator.sql;

import dev.rotor.ConfigProblem;
import dev.rotor.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads typed values out of a rotator's plain settings map (as read from YAML), adding a
 * {@link ConfigProblem} named {@code prefix + "." + key} for each value of the wrong type, so that
 * every problem is reported at once. An absent key reads as {@code null} (or the fallback given).
 * Not thread-safe: it appends to the caller's list.
 */
public final class SettingsReader {

    /**
     * How a rotator words and reads what is not of the expected type.
     *
     * @param notText the message for a value that should be text
     * @param notDuration the message for a value that is neither text nor a {@link Duration}
     * @param wholeNumber the form a whole number given as text must have (after stripping blanks)
     */
    public record Rules(String notText, String notDuration, Pattern wholeNumber) {
        public Rules {
            Objects.requireNonNull(notText, "notText");
            Objects.requireNonNull(notDuration, "notDuration");
            Objects.requireNonNull(wholeNumber, "wholeNumber");
        }
    }

    private final String prefix;
    private final Map<String, ?> map;
    private final List<ConfigProblem> problems;
    private final Rules rules;

    public SettingsReader(String prefix, Map<String, ?> map, List<ConfigProblem> problems, Rules rules) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.map = Objects.requireNonNull(map, "map");
        this.problems = Objects.requireNonNull(problems, "problems");
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** A reader of a nested map, its fields named {@code prefix.key.<field>}. */
    public SettingsReader nested(String key, Map<String, ?> nested) {
        return new SettingsReader(field(key), nested, problems, rules);
    }

    /** The full name of {@code key}, as problems name it. */
    public String field(String key) {
        return prefix + "." + key;
    }

    /** Adds a problem naming {@code key}. */
    public void problem(String key, String message) {
        problems.add(new ConfigProblem(field(key), message));
    }

    /** Reports every key not in {@code known}, in sorted order, listing the known ones. */
    public void unknownKeys(Set<String> known) {
        String list = String.join(", ", new TreeSet<>(known));
        for (String key : new TreeSet<>(map.keySet())) {
            if (!known.contains(key)) {
                problem(key, "unknown setting (known: " + list + ")");
            }
        }
    }

    public @Nullable String string(String key) {
        Object v = map.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        problem(key, rules.notText());
        return null;
    }

    public @Nullable Integer integer(String key) {
        Object v = map.get(key);
        if (v == null || v instanceof Integer) {
            return (Integer) v;
        }
        if (v instanceof String s && rules.wholeNumber().matcher(s.strip()).matches()) {
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                // out of range: reported below
            }
        }
        problem(key, "must be a whole number");
        return null;
    }

    public int integer(String key, int fallback) {
        Integer i = integer(key);
        return i == null ? fallback : i;
    }

    public @Nullable Duration duration(String key) {
        Object v = map.get(key);
        if (v == null || v instanceof Duration) {
            return (Duration) v;
        }
        if (v instanceof String s) {
            try {
                return Durations.parse(s);
            } catch (IllegalArgumentException e) {
                problem(key, String.valueOf(e.getMessage()));
                return null;
            }
        }
        problem(key, rules.notDuration());
        return null;
    }

    public Duration duration(String key, Duration fallback) {
        Duration d = duration(key);
        return d == null ? fallback : d;
    }

    /**
     * A list of text values.
     *
     * @param notList the message for a value that is not such a list
     * @param nullsAllowed whether a null element is let through (for the settings to report)
     */
    public @Nullable List<String> strings(String key, String notList, boolean nullsAllowed) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list && list.stream().allMatch(e -> e instanceof String || (nullsAllowed && e == null))) {
            List<String> out = new ArrayList<>(list.size());
            list.forEach(e -> out.add((String) e));
            return out;
        }
        problem(key, notList);
        return null;
    }

    /** A nested map with text keys. */
    @SuppressWarnings("unchecked")
    public @Nullable Map<String, ?> map(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m && m.keySet().stream().allMatch(String.class::isInstance)) {
            return (Map<String, ?>) m;
        }
        problem(key, "must be a map");
        return null;
    }
}
