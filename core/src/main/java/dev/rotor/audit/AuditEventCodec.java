package dev.rotor.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Converts an {@link AuditEvent} to a JSON object and back. Every sink writes events with it and
 * {@link AuditLogVerifier} reads them with it, so there is one wire form:
 *
 * <pre>{"time":"2025-05-01T10:15:30.123Z","actor":"svc-billing","action":"GET","store":"main",
 * "path":"db/billing","versionId":"3","selector":"stage=current","outcome":"SUCCESS",
 * "requestId":"5f0c…","detail":null,"count":1,"firstTime":"2025-05-01T10:15:30.123Z"}</pre>
 *
 * <p>Fields always appear, in the order of {@link #FIELDS}; an absent optional value is written as
 * {@code null}. Instants are ISO-8601 in UTC ({@link DateTimeFormatter#ISO_INSTANT}), with as many
 * fraction digits as the instant needs, so they round-trip exactly. Decoding never throws on bad
 * input: {@link #decode} reports every missing, unknown or ill-typed field as a {@link Decoded.Invalid}
 * problem. Messages name fields, never their contents.
 *
 * <p>Thread-safe: stateless.
 */
public final class AuditEventCodec {

    /** The event fields in the order they are written. */
    public static final List<String> FIELDS = List.of(
            "time", "actor", "action", "store", "path", "versionId", "selector",
            "outcome", "requestId", "detail", "count", "firstTime");

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final ObjectMapper READER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final String ACTIONS = Arrays.stream(AuditAction.values()).map(Enum::name).collect(Collectors.joining(", "));
    private static final String OUTCOMES = Arrays.stream(AuditOutcome.values()).map(Enum::name).collect(Collectors.joining(", "));

    private AuditEventCodec() {}

    /** The result of {@link #decode}: an event, or every problem found. */
    public sealed interface Decoded {

        /** The JSON object was a well-formed event. */
        record Valid(AuditEvent event) implements Decoded {
            public Valid {
                Objects.requireNonNull(event, "event");
            }
        }

        /** The JSON object was not a well-formed event; each problem names a field. */
        record Invalid(List<String> problems) implements Decoded {
            public Invalid {
                problems = List.copyOf(problems);
                if (problems.isEmpty()) {
                    throw new IllegalArgumentException("an invalid result needs at least one problem");
                }
            }
        }
    }

    /** The event as one compact JSON object in UTF-8, with no line end. */
    public static byte[] toJsonBytes(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        ByteArrayOutputStream out = new ByteArrayOutputStream(320);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            writeFields(g, event);
            g.writeEndObject();
        } catch (IOException e) {
            // Only a field the generator cannot encode (e.g. a lone UTF-16 surrogate) lands here.
            throw new IllegalArgumentException("audit event cannot be written as JSON: " + e.getClass().getSimpleName(), e);
        }
        return out.toByteArray();
    }

    /** The event as one compact JSON object. */
    public static String toJson(AuditEvent event) {
        return new String(toJsonBytes(event), StandardCharsets.UTF_8);
    }

    private static void writeFields(JsonGenerator g, AuditEvent e) throws IOException {
        g.writeStringField("time", formatInstant(e.time()));
        g.writeStringField("actor", e.actor());
        g.writeStringField("action", e.action().name());
        g.writeStringField("store", e.store());
        g.writeStringField("path", e.path());
        g.writeStringField("versionId", e.versionId());
        g.writeStringField("selector", e.selector());
        g.writeStringField("outcome", e.outcome().name());
        g.writeStringField("requestId", e.requestId());
        g.writeStringField("detail", e.detail());
        g.writeNumberField("count", e.count());
        g.writeStringField("firstTime", formatInstant(e.firstTime()));
    }

    static String formatInstant(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    /**
     * Parses one JSON text into a tree: strict (duplicate keys and trailing content are errors).
     *
     * @throws JsonProcessingException if the text is not one JSON value
     */
    static JsonNode readTree(byte[] json) throws IOException {
        return READER.readTree(json);
    }

    /** Decodes a JSON object holding exactly the event fields. */
    public static Decoded decode(JsonNode node) {
        return decode(node, Set.of());
    }

    /**
     * Decodes a JSON object holding the event fields and, optionally, the fields in
     * {@code otherFields} (which the caller reads itself, such as a log line's {@code seq}).
     */
    public static Decoded decode(JsonNode node, Set<String> otherFields) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(otherFields, "otherFields");
        if (!node.isObject()) {
            return new Decoded.Invalid(List.of("not a JSON object"));
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name) && !otherFields.contains(name)) {
                problems.add("unknown field '" + printable(name) + "'");
            }
        }
        @Nullable Instant time = instant(node, "time", problems);
        @Nullable String actor = text(node, "actor", false, problems);
        @Nullable AuditAction action = constant(node, "action", AuditAction.class, ACTIONS, problems);
        @Nullable String store = text(node, "store", false, problems);
        @Nullable String path = text(node, "path", false, problems);
        @Nullable String versionId = text(node, "versionId", true, problems);
        @Nullable String selector = text(node, "selector", true, problems);
        @Nullable AuditOutcome outcome = constant(node, "outcome", AuditOutcome.class, OUTCOMES, problems);
        @Nullable String requestId = text(node, "requestId", false, problems);
        @Nullable String detail = text(node, "detail", true, problems);
        long count = positiveLong(node, "count", problems);
        @Nullable Instant firstTime = instant(node, "firstTime", problems);
        if (!problems.isEmpty()) {
            return new Decoded.Invalid(problems);
        }
        try {
            return new Decoded.Valid(new AuditEvent(time, actor, action, store, path, versionId, selector,
                    outcome, requestId, detail, count, firstTime));
        } catch (RuntimeException e) {
            // The checks above mirror the record's; this only catches a rule added there later.
            return new Decoded.Invalid(List.of("not a valid audit event: " + e.getMessage()));
        }
    }

    /**
     * Parses one JSON object text into an event.
     *
     * @throws IllegalArgumentException listing every problem, if the text is not a well-formed event
     */
    public static AuditEvent parse(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode node;
        try {
            node = readTree(json.getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON" + jsonErrorLocation(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return switch (decode(node)) {
            case Decoded.Valid v -> v.event();
            case Decoded.Invalid i -> throw new IllegalArgumentException("not a valid audit event: " + String.join("; ", i.problems()));
        };
    }

    /** " at column N" for a parse error, without echoing the text (which may be anything). */
    static String jsonErrorLocation(JsonProcessingException e) {
        var location = e.getLocation();
        if (location == null || location.getColumnNr() < 0) {
            return "";
        }
        return " at column " + location.getColumnNr();
    }

    // ---- field readers: each adds a problem and returns a placeholder when the field is bad ----

    private static @Nullable JsonNode field(JsonNode node, String name, List<String> problems) {
        JsonNode value = node.get(name);
        if (value == null) {
            problems.add("missing field '" + name + "'");
        }
        return value;
    }

    // Each reader returns null only after adding a problem, so decode() never builds an event from null.
    private static @Nullable String text(JsonNode node, String name, boolean nullable, List<String> problems) {
        JsonNode value = field(node, name, problems);
        if (value == null) {
            return null;
        }
        if (value.isNull() && nullable) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add("field '" + name + "' must be a string" + (nullable ? " or null" : ""));
            return null;
        }
        return value.textValue();
    }

    private static @Nullable Instant instant(JsonNode node, String name, List<String> problems) {
        JsonNode value = field(node, name, problems);
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            try {
                return Instant.parse(value.textValue());
            } catch (DateTimeParseException e) {
                // fall through to the problem below
            }
        }
        problems.add("field '" + name + "' must be an ISO-8601 instant such as 2025-05-01T10:15:30Z");
        return null;
    }

    private static <E extends Enum<E>> @Nullable E constant(JsonNode node, String name, Class<E> type, String allowed, List<String> problems) {
        JsonNode value = field(node, name, problems);
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            for (E c : type.getEnumConstants()) {
                if (c.name().equals(value.textValue())) {
                    return c;
                }
            }
        }
        problems.add("field '" + name + "' must be one of " + allowed);
        return null;
    }

    private static long positiveLong(JsonNode node, String name, List<String> problems) {
        JsonNode value = field(node, name, problems);
        if (value == null) {
            return 0;
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 1) {
            return value.longValue();
        }
        problems.add("field '" + name + "' must be a whole number of at least 1");
        return 0;
    }

    /** A field name from a file, made safe to print: at most 40 characters, no control characters. */
    static String printable(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), 40));
        for (int i = 0; i < name.length() && i < 40; i++) {
            char c = name.charAt(i);
            sb.append(c >= 0x20 && c != 0x7f ? c : '?');
        }
        if (name.length() > 40) {
            sb.append('…');
        }
        return sb.toString();
    }
}
