package dev.rotor.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bursts of API authentication failures: {@code threshold} failures of one client or address
 * within a sliding {@code window}.
 *
 * <p>Thread-safe: one lock around in-memory timestamps; no I/O under it.
 */
final class AuthFailureWatcher {

    private static final int MAX_CLIENTS = 100_000;

    private final int threshold;
    private final Duration window;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();

    AuthFailureWatcher(int threshold, Duration window) {
        this.threshold = threshold;
        this.window = window;
    }

    synchronized Optional<Alert> observe(String client, Instant now) {
        Deque<Instant> times = failures.get(client);
        if (times == null) {
            if (failures.size() >= MAX_CLIENTS) {
                pruneLocked(now);
                if (failures.size() >= MAX_CLIENTS) {
                    return Optional.empty();
                }
            }
            times = new ArrayDeque<>();
            failures.put(client, times);
        }
        Instant cutoff = now.minus(window);
        while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
            times.pollFirst();
        }
        times.addLast(now);
        if (times.size() < threshold) {
            return Optional.empty();
        }
        Map<String, String> d = new LinkedHashMap<>();
        d.put("client", client);
        d.put("failures", Integer.toString(times.size()));
        d.put("window", window.toString());
        d.put("since", times.peekFirst().toString());
        // Keep no more than a threshold's worth: the count says "at least", and memory stays bounded.
        while (times.size() > threshold) {
            times.pollFirst();
        }
        return Optional.of(new Alert(Alert.KIND_AUTH_FAILURE_BURST + "|" + client, Severity.WARNING, Alert.KIND_AUTH_FAILURE_BURST,
                client, threshold + " or more failed API authentications from " + client + " within " + window, d, now, false));
    }

    synchronized void prune(Instant now) {
        pruneLocked(now);
    }

    private void pruneLocked(Instant now) {
        Instant cutoff = now.minus(window);
        failures.values().removeIf(t -> t.isEmpty() || !t.peekLast().isAfter(cutoff));
    }
}
