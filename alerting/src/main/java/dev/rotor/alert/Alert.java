package dev.rotor.alert;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One notice sent to people: a condition that began (or still holds), or one that ended
 * ({@code resolved}). Built only from refs, version ids, step names, actors, reasons and error
 * types, never from a secret value, so every field may be shown anywhere.
 *
 * @param key what the notice is about; notices with one key are deduplicated and a resolved
 *     notice ends the condition of that key (for example {@code rotation-failed|secret://main/db/app|VERIFY})
 * @param severity how urgent it is
 * @param kind the rule that raised it, one of the {@code KIND_*} constants
 * @param ref what it concerns: a secret ref, an actor or client, or an audit sink's name
 * @param summary one line for a subject or a chat message
 * @param details further facts, in order; keys and values are short, single-line texts
 * @param time when the condition was seen (or ended)
 * @param resolved true for the notice that a condition ended
 */
public record Alert(String key, Severity severity, String kind, String ref, String summary, Map<String, String> details,
        Instant time, boolean resolved) {

    public static final String KIND_ROTATION_FAILED = "rotation-failed";
    public static final String KIND_ROTATION_OVERDUE = "rotation-overdue";
    public static final String KIND_EMERGENCY_ROTATION = "emergency-rotation";
    public static final String KIND_ACCESS_RATE = "unusual-access-rate";
    public static final String KIND_ACCESS_NEW_ACTOR = "unusual-access-new-actor";
    public static final String KIND_AUDIT_SINK_FAILED = "audit-sink-failed";
    public static final String KIND_AUTH_FAILURE_BURST = "auth-failure-burst";
    public static final String KIND_SYNC_FAILED = "sync-failed";

    /** Texts longer than this are cut, so that one odd input cannot make a notice unreadable. */
    public static final int MAX_TEXT = 1000;

    public Alert {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(time, "time");
        if (key.isBlank() || kind.isBlank()) {
            throw new IllegalArgumentException("an alert needs a key and a kind");
        }
        key = oneLine(key);
        ref = oneLine(ref);
        summary = oneLine(summary);
        Map<String, String> copy = new LinkedHashMap<>();
        details.forEach((k, v) -> copy.put(oneLine(Objects.requireNonNull(k, "details key")), oneLine(Objects.requireNonNull(v, "details value"))));
        details = Collections.unmodifiableMap(copy);
    }

    /** The notice that this alert's condition ended, at {@code when}. */
    public Alert resolvedAt(Instant when) {
        return new Alert(key, Severity.INFO, kind, ref, "resolved: " + summary, details, when, true);
    }

    /** A copy with one more detail. */
    public Alert withDetail(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(details);
        more.put(name, value);
        return new Alert(key, severity, kind, ref, summary, more, time, resolved);
    }

    /**
     * Turns line breaks and other control characters into spaces and cuts at {@link #MAX_TEXT},
     * so that no input can forge a header line in a mail or a line in a log.
     */
    static String oneLine(@Nullable String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_TEXT));
        for (int i = 0; i < text.length() && sb.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        return sb.toString();
    }
}
