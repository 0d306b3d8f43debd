package dev.rotor.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Finds canaries in text and cuts masked excerpts around them. Stateless. */
final class LeakScanner {

    /** Characters shown on each side of a find. */
    static final int CONTEXT = 40;

    private LeakScanner() {}

    private record Hit(int start, int end, String encoding) {}

    /** One {@link Leak} per canary form found in {@code text} (its first occurrence). */
    static List<Leak> scan(String source, String text, Collection<Canary> canaries) {
        List<Hit> hits = new ArrayList<>();
        for (Canary canary : canaries) {
            for (Canary.Form form : canary.forms()) {
                int from = 0;
                int at;
                while ((at = text.indexOf(form.text(), from)) >= 0) {
                    hits.add(new Hit(at, at + form.text().length(), form.encoding()));
                    from = at + 1;
                }
            }
        }
        if (hits.isEmpty()) {
            return List.of();
        }
        hits.sort(Comparator.comparingInt(Hit::start).thenComparingInt(h -> -h.end()));
        List<Hit> merged = merge(hits);
        List<Leak> leaks = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (Hit hit : merged) {
            if (reported.add(hit.encoding())) {
                leaks.add(new Leak(source, hit.encoding(), excerpt(text, hit, merged)));
            }
        }
        return leaks;
    }

    // Overlapping finds (the same canary in two forms, or two canaries) become one masked span.
    private static List<Hit> merge(List<Hit> sorted) {
        List<Hit> out = new ArrayList<>();
        Hit open = null;
        for (Hit h : sorted) {
            if (open != null && h.start() < open.end()) {
                open = new Hit(open.start(), Math.max(open.end(), h.end()), open.encoding());
            } else {
                if (open != null) {
                    out.add(open);
                }
                open = h;
            }
        }
        out.add(open);
        return out;
    }

    private static String excerpt(String text, Hit hit, List<Hit> masked) {
        int from = Math.max(0, hit.start() - CONTEXT);
        int to = Math.min(text.length(), hit.end() + CONTEXT);
        // Widen rather than cut through a canary, so that no partial canary shows either.
        for (Hit m : masked) {
            if (m.start() < from && m.end() > from) {
                from = m.start();
            }
            if (m.start() < to && m.end() > to) {
                to = m.end();
            }
        }
        StringBuilder sb = new StringBuilder();
        if (from > 0) {
            sb.append("...");
        }
        int i = from;
        for (Hit m : masked) {
            if (m.end() <= from || m.start() >= to) {
                continue;
            }
            appendOneLine(sb, text, i, m.start());
            sb.append("<canary:").append(m.encoding()).append('>');
            i = m.end();
        }
        appendOneLine(sb, text, i, to);
        if (to < text.length()) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static void appendOneLine(StringBuilder sb, String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
