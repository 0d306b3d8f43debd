package dev.rotor.alert.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.alert.Alert;

/** JSON for alerts; the one shared mapper is thread-safe once configured. */
public final class AlertJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {}

    /** The generic form, used by the webhook sink and shown in mail bodies. */
    public static ObjectNode of(Alert a) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("source", "rotor");
        n.put("key", a.key());
        n.put("kind", a.kind());
        n.put("severity", a.severity().name());
        n.put("resolved", a.resolved());
        n.put("ref", a.ref());
        n.put("summary", a.summary());
        n.put("time", a.time().toString());
        ObjectNode d = n.putObject("details");
        a.details().forEach(d::put);
        return n;
    }

    public static byte[] bytes(Object node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // A tree of strings always serialises.
            throw new IllegalStateException("cannot write an alert as JSON", e);
        }
    }

    public static String pretty(Object node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an alert as JSON", e);
        }
    }
}
