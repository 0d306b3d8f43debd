package dev.rotor.daemon.internal;

import dev.rotor.ConfigProblem;
import dev.rotor.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Reads one mapping of a raw YAML tree (plain maps, lists and scalars), adding a problem with the
 * field's path for every bad value instead of stopping at the first. Not thread-safe.
 */
public final class Tree {

    private final String path;
    private final Map<?, ?> map;
    private final List<ConfigProblem> problems;

    private Tree(String path, Map<?, ?> map, List<ConfigProblem> problems) {
        this.path = path;
        this.map = map;
        this.problems = problems;
    }

    /** A reader over {@code raw}, or {@code null} after a problem if it is not a mapping. */
    public static @Nullable Tree of(@Nullable Object raw, String path, List<ConfigProblem> problems, String what) {
        if (raw instanceof Map<?, ?> m) {
            return new Tree(path, m, problems);
        }
        problems.add(new ConfigProblem(path, "must be a mapping of " + what + ", " + found(raw)));
        return null;
    }

    public String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public void problem(String key, String message) {
        problems.add(new ConfigProblem(field(key), message));
    }

    public boolean has(String key) {
        return map.get(key) != null;
    }

    public @Nullable Object raw(String key) {
        return map.get(key);
    }

    public void unknownKeys(Set<String> known) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                problems.add(new ConfigProblem(field(String.valueOf(key)), "unknown key (known: " + String.join(", ", new TreeSet<>(known)) + ")"));
            }
        }
    }

    public @Nullable String string(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            problem(key, "must be a string, " + found(v));
            return null;
        }
        if (s.isBlank()) {
            problem(key, "must not be blank");
            return null;
        }
        return s;
    }

    public @Nullable Duration duration(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number) {
            problem(key, "'" + v + "' has no unit; " + Durations.FORMATS);
            return null;
        }
        if (!(v instanceof String s)) {
            problem(key, "must be a duration, " + found(v));
            return null;
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    public @Nullable Integer integer(String key, int min, int max) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Integer i) || i < min || i > max) {
            problem(key, "must be a whole number from " + min + " to " + max + ", " + found(v));
            return null;
        }
        return i;
    }

    public @Nullable Long longValue(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof Long l) {
            return l;
        }
        problem(key, "must be a whole number, " + found(v));
        return null;
    }

    public @Nullable Boolean bool(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            problem(key, "must be true or false, " + found(v));
            return null;
        }
        return b;
    }

    /** A list of strings; a bad element is reported with its index. */
    public @Nullable List<String> strings(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            problem(key, "must be a list of strings, " + found(v));
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            if (e instanceof String s && !s.isBlank()) {
                out.add(s);
            } else {
                problems.add(new ConfigProblem(field(key) + "[" + i + "]", "must be a non-blank string, " + found(e)));
                ok = false;
            }
        }
        return ok ? out : null;
    }

    public @Nullable Tree tree(String key, String what) {
        Object v = map.get(key);
        return v == null ? null : of(v, field(key), problems, what);
    }

    public static String found(@Nullable Object v) {
        return "found " + switch (v) {
            case null -> "nothing";
            case Map<?, ?> m -> "a mapping";
            case List<?> l -> "a list";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "a number";
            default -> "a " + v.getClass().getSimpleName();
        };
    }
}
