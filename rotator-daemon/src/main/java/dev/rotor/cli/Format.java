package dev.rotor.cli;

import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Text forms of metadata for command output. */
final class Format {

    private Format() {}

    /** {@code CURRENT, PREVIOUS} in stage order, or {@code -}. */
    static String stages(VersionInfo v) {
        List<String> names = new ArrayList<>();
        for (Stage s : Stage.values()) {
            if (v.has(s)) {
                names.add(s.name());
            }
        }
        return names.isEmpty() ? "-" : String.join(", ", names);
    }

    /** An instant for people: UTC to the second ({@code --json} keeps the full precision). */
    static String instant(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code k=v, k2=v2} sorted by key, or {@code -}. */
    static String tags(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return "-";
        }
        return new TreeMap<>(tags).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** Rows padded into columns separated by two spaces; the last column is not padded. */
    static List<String> table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                sb.append(row.get(i));
                if (i < columns - 1) {
                    sb.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            lines.add(sb.toString());
        }
        return lines;
    }
}
