package dev.rotor.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a Rotor value (bytes) is laid out as KV v2 data, so that a plain reader gets its natural form:
 * <ul>
 *   <li>{@link Encoding#JSON}: a JSON object is stored as the secret's fields ({@code vault kv get}
 *       shows {@code username} and {@code password});
 *   <li>{@link Encoding#TEXT}: other UTF-8 text is stored as one field {@code value};
 *   <li>{@link Encoding#BASE64}: other bytes are stored base64-encoded in one field
 *       {@code value_base64}.
 * </ul>
 * Vault re-serializes what it stores (keys sorted, whitespace dropped), so a JSON object is read
 * back from the fields only when that gives the exact bytes written ({@link Encoded#exact()});
 * the store then needs no second read. Otherwise the exact bytes come from the store's own copy.
 *
 * <p>Stateless and thread-safe. Nothing here logs or quotes a value.
 */
final class ValueCodec {

    enum Encoding { JSON, TEXT, BASE64 }

    static final String TEXT_FIELD = "value";
    static final String BASE64_FIELD = "value_base64";

    private static final ObjectReader STRICT = VaultClient.JSON.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * A value laid out for Vault.
     *
     * @param fields for JSON, the top-level field names in the order written (Vault sorts them)
     */
    record Encoded(Encoding encoding, ObjectNode live, boolean exact, @Nullable List<String> fields) {
        @Override
        public String toString() {
            return "Encoded[" + encoding + ", exact=" + exact + "]";
        }
    }

    private ValueCodec() {}

    static Encoded encode(byte[] bytes) {
        boolean utf8 = isUtf8(bytes);
        if (utf8) {
            ObjectNode object = jsonObject(bytes);
            if (object != null) {
                List<String> fields = new ArrayList<>();
                object.fieldNames().forEachRemaining(fields::add);
                boolean exact;
                try {
                    exact = Arrays.equals(reconstruct(asVaultReturnsIt(object), fields), bytes);
                } catch (RuntimeException e) {
                    exact = false;
                }
                return new Encoded(Encoding.JSON, object, exact, List.copyOf(fields));
            }
            if (isPlainText(bytes)) {
                ObjectNode live = VaultClient.JSON.createObjectNode();
                live.put(TEXT_FIELD, new String(bytes, StandardCharsets.UTF_8));
                return new Encoded(Encoding.TEXT, live, true, null);
            }
        }
        ObjectNode live = VaultClient.JSON.createObjectNode();
        live.put(BASE64_FIELD, Base64.getEncoder().encodeToString(bytes));
        return new Encoded(Encoding.BASE64, live, true, null);
    }

    /**
     * The value back from the fields a reader got, or null if they are not laid out as
     * {@code encoding} says (someone else wrote them) or a JSON value cannot be rebuilt exactly.
     */
    static byte @Nullable [] decode(ObjectNode live, Encoding encoding, boolean exact, @Nullable List<String> fields) {
        return switch (encoding) {
            case JSON -> exact && fields != null ? reconstruct(live, fields) : null;
            case TEXT -> {
                JsonNode v = live.get(TEXT_FIELD);
                yield v != null && v.isTextual() && live.size() == 1 ? v.textValue().getBytes(StandardCharsets.UTF_8) : null;
            }
            case BASE64 -> {
                JsonNode v = live.get(BASE64_FIELD);
                if (v == null || !v.isTextual() || live.size() != 1) {
                    yield null;
                }
                try {
                    yield Base64.getDecoder().decode(v.textValue());
                } catch (IllegalArgumentException e) {
                    yield null;
                }
            }
        };
    }

    /** Fields written by someone else: their compact JSON, in the order Vault returned them. */
    static byte[] compact(ObjectNode live) {
        try {
            return VaultClient.JSON.writeValueAsBytes(live);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode fields as JSON");
        }
    }

    /** The store's own copy of a version: always the exact bytes. */
    static ObjectNode copyDocument(byte[] bytes) {
        ObjectNode doc = VaultClient.JSON.createObjectNode();
        doc.put(BASE64_FIELD, Base64.getEncoder().encodeToString(bytes));
        return doc;
    }

    static byte @Nullable [] fromCopyDocument(ObjectNode doc) {
        return decode(doc, Encoding.BASE64, true, null);
    }

    private static byte[] reconstruct(ObjectNode live, List<String> fields) {
        ObjectNode ordered = VaultClient.JSON.createObjectNode();
        for (String f : fields) {
            JsonNode v = live.get(f);
            if (v != null) {
                ordered.set(f, v);
            }
        }
        for (Map.Entry<String, JsonNode> e : live.properties()) {
            if (!ordered.has(e.getKey())) {
                ordered.set(e.getKey(), e.getValue());
            }
        }
        return compact(ordered);
    }

    /** Vault (Go) returns object keys sorted by their UTF-8 bytes, at every level. */
    static JsonNode asVaultReturnsIt(JsonNode node) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
            entries.addAll(node.properties());
            entries.sort(Map.Entry.comparingByKey(UTF8_ORDER));
            ObjectNode out = VaultClient.JSON.createObjectNode();
            for (Map.Entry<String, JsonNode> e : entries) {
                out.set(e.getKey(), asVaultReturnsIt(e.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = VaultClient.JSON.createArrayNode();
            node.forEach(n -> out.add(asVaultReturnsIt(n)));
            return out;
        }
        return node;
    }

    private static ObjectNode asVaultReturnsIt(ObjectNode node) {
        return (ObjectNode) asVaultReturnsIt((JsonNode) node);
    }

    static final Comparator<String> UTF8_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static @Nullable ObjectNode jsonObject(byte[] bytes) {
        int i = 0;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        if (i == bytes.length || bytes[i] != '{') {
            return null; // also rules out a byte-order mark, which Vault's parser refuses
        }
        try {
            JsonNode node = STRICT.readTree(bytes);
            return node instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Text without control characters other than tab and line breaks, so JSON escaping stays small. */
    private static boolean isPlainText(byte[] bytes) {
        for (byte b : bytes) {
            if ((b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
