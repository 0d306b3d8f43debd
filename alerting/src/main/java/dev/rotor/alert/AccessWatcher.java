package dev.rotor.alert;

import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The unusual-access rules over audited accesses.
 * <ul>
 *   <li>Rate: reads ({@code GET}, and the reads a {@code CACHED_GET} summary counts) by one actor
 *       within one calendar minute of event time, above {@code readsPerMinute}: alerted once for
 *       that minute.
 *   <li>New actor: an actor accessing a secret (read, write or stage move) that no access to that
 *       secret named before. Actors seen before {@code learnedAt} are learned silently; after it,
 *       a new one is alerted and then learned. What was learned lives in memory only, so learning
 *       starts again after a restart.
 * </ul>
 * Rotation events and listings are not accesses to a secret's value and are ignored.
 *
 * <p>Thread-safe: one lock around in-memory counters; no I/O under it.
 */
final class AccessWatcher {

    /** Bounds so that a flood of odd names cannot exhaust memory. */
    private static final int MAX_SECRETS = 100_000;
    private static final int MAX_ACTORS_PER_SECRET = 1_000;
    private static final int MAX_RATE_ACTORS = 100_000;

    private final Instant learnedAt;
    private final int readsPerMinute;
    private final Map<String, Set<String>> actorsBySecret = new HashMap<>();
    private final Map<String, long[]> readsByActor = new HashMap<>(); // [epoch minute, count]

    AccessWatcher(Instant learnedAt, int readsPerMinute) {
        this.learnedAt = learnedAt;
        this.readsPerMinute = readsPerMinute;
    }

    /** The alerts this access raises (usually none). */
    synchronized List<Alert> observe(AuditEvent e) {
        if (!isSecretAccess(e.action())) {
            return List.of();
        }
        List<Alert> out = new ArrayList<>(1);
        String ref = "secret://" + e.store() + "/" + e.path();
        if (e.action() == AuditAction.GET || e.action() == AuditAction.CACHED_GET) {
            long minute = e.time().getEpochSecond() / 60;
            long[] slot = readsByActor.get(e.actor());
            if (slot == null) {
                if (readsByActor.size() >= MAX_RATE_ACTORS) {
                    readsByActor.entrySet().removeIf(x -> x.getValue()[0] < minute);
                }
                slot = new long[] {minute, 0};
                readsByActor.put(e.actor(), slot);
            }
            if (slot[0] != minute) {
                slot[0] = minute;
                slot[1] = 0;
            }
            long before = slot[1];
            slot[1] += e.count();
            if (before <= readsPerMinute && slot[1] > readsPerMinute) {
                Map<String, String> d = new LinkedHashMap<>();
                d.put("actor", e.actor());
                d.put("reads", Long.toString(slot[1]));
                d.put("threshold", Integer.toString(readsPerMinute));
                d.put("minute", Instant.ofEpochSecond(minute * 60).toString());
                d.put("lastRef", ref);
                out.add(new Alert(Alert.KIND_ACCESS_RATE + "|" + e.actor(), Severity.WARNING, Alert.KIND_ACCESS_RATE, e.actor(),
                        "unusual access: " + e.actor() + " read more than " + readsPerMinute + " secrets in a minute", d, e.time(), false));
            }
        }
        Set<String> known = actorsBySecret.get(ref);
        if (known == null) {
            if (actorsBySecret.size() >= MAX_SECRETS) {
                return out;
            }
            known = new HashSet<>();
            actorsBySecret.put(ref, known);
        }
        boolean isNew = !known.contains(e.actor());
        if (isNew && known.size() < MAX_ACTORS_PER_SECRET) {
            known.add(e.actor());
        }
        if (isNew && !e.time().isBefore(learnedAt)) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("actor", e.actor());
            d.put("action", e.action().name());
            d.put("outcome", e.outcome().name());
            d.put("requestId", e.requestId());
            out.add(new Alert(Alert.KIND_ACCESS_NEW_ACTOR + "|" + ref + "|" + e.actor(), Severity.WARNING, Alert.KIND_ACCESS_NEW_ACTOR,
                    ref, "unusual access: " + e.actor() + " accessed " + ref + " for the first time", d, e.time(), false));
        }
        return out;
    }

    private static boolean isSecretAccess(AuditAction a) {
        return switch (a) {
            case GET, CACHED_GET, PUT, VERSIONS, PROMOTE, MOVE_STAGE, DELETE -> true;
            case LIST, ROTATION_STARTED, ROTATION_STEP, ROTATION_SUCCEEDED, ROTATION_FAILED, ROTATION_ROLLED_BACK, ROTATION_RETIRED, API_CALL -> false;
        };
    }
}
