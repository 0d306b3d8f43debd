package dev.rotor.internal.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.RotorException;
import dev.rotor.SecretValue;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The value of a lease secret's CURRENT version: who holds the rotation lease of a secret, for
 * which run, until when, and (informational) what the run is doing. A released lease keeps the
 * last run's id so that a later reader can tell a finished run from a dead one.
 *
 * @param held whether a run holds the lease (until {@code expires})
 * @param holder the engine instance that wrote the record
 * @param runId the run the lease is (or was last) held for
 * @param since when the holder took the lease
 * @param expires when the lease ends unless renewed
 * @param step the step the run was at when the record was written, or {@code DONE}/{@code FREE}
 */
public record LeaseRecord(boolean held, String holder, @Nullable String runId, @Nullable String rotator,
        Instant since, Instant expires, String step, boolean emergency, @Nullable String reason, @Nullable String actor) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int FORMAT = 1;

    public LeaseRecord {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(step, "step");
    }

    /** The record a lease secret starts with: nobody holds it. */
    static LeaseRecord free(Instant now) {
        return new LeaseRecord(false, "-", null, null, now, now, "FREE", false, null, null);
    }

    boolean activeAt(Instant now) {
        return held && expires.isAfter(now);
    }

    LeaseRecord released(Instant now, String outcome) {
        return new LeaseRecord(false, holder, runId, rotator, since, now, outcome, emergency, reason, actor);
    }

    LeaseRecord renewed(Instant newExpiry, String newRunId, String newStep) {
        return new LeaseRecord(true, holder, newRunId, rotator, since, newExpiry, newStep, emergency, reason, actor);
    }

    SecretValue toValue() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("held", held);
        n.put("holder", holder);
        n.put("runId", runId);
        n.put("rotator", rotator);
        n.put("since", since.toString());
        n.put("expires", expires.toString());
        n.put("step", step);
        n.put("emergency", emergency);
        n.put("reason", reason);
        n.put("actor", actor);
        try {
            return SecretValue.wrap(JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a lease record", e);
        }
    }

    /** @throws RotorException naming the lease path if the record cannot be read */
    static LeaseRecord parse(String leasePath, SecretValue value) {
        JsonNode n;
        try {
            n = JSON.readTree(value.bytes());
        } catch (IOException e) {
            throw unreadable(leasePath, "not JSON");
        }
        if (n == null || !n.isObject() || n.path("format").asInt() != FORMAT) {
            throw unreadable(leasePath, "not a lease record of format " + FORMAT);
        }
        try {
            return new LeaseRecord(n.path("held").asBoolean(), n.path("holder").asText("-"), text(n, "runId"), text(n, "rotator"),
                    Instant.parse(n.path("since").asText()), Instant.parse(n.path("expires").asText()),
                    n.path("step").asText("?"), n.path("emergency").asBoolean(), text(n, "reason"), text(n, "actor"));
        } catch (DateTimeParseException e) {
            throw unreadable(leasePath, "a time in it does not parse");
        }
    }

    private static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static RotorException unreadable(String leasePath, String why) {
        return new RotorException("the rotation lease record '" + leasePath + "' is unreadable (" + why
                + "); delete that secret to reset the lease, after making sure no rotation of it runs");
    }
}
