package dev.rotor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The bytes of a secret. By convention a value is a JSON object of fields
 * ({@code {"username":"..","password":".."}}), but any bytes are allowed.
 *
 * <p>{@link #toString()} never shows the value; {@link #equals(Object)} is constant-time in the
 * length of the values; {@link #destroy()} zeroes the bytes. A value obtained from a cache is
 * <em>shared</em>: it belongs to the cache, and {@code destroy()} on it does nothing.
 *
 * <p>Thread-safe: the bytes never change after construction except by {@code destroy()}.
 */
public final class SecretValue {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] bytes;
    private final boolean shared;
    private volatile boolean destroyed;

    private SecretValue(byte[] bytes, boolean shared) {
        this.bytes = bytes;
        this.shared = shared;
    }

    /** A value holding a copy of {@code bytes}. */
    public static SecretValue of(byte[] bytes) {
        return new SecretValue(Objects.requireNonNull(bytes, "bytes").clone(), false);
    }

    /** A value holding the UTF-8 encoding of {@code text}. */
    public static SecretValue ofUtf8(CharSequence text) {
        Objects.requireNonNull(text, "text");
        return new SecretValue(text.toString().getBytes(StandardCharsets.UTF_8), false);
    }

    /** A JSON object value from string fields, e.g. {@code {"username":..,"password":..}}. */
    public static SecretValue ofFields(Map<String, String> fields) {
        Objects.requireNonNull(fields, "fields");
        ObjectNode node = JSON.createObjectNode();
        fields.forEach(node::put);
        try {
            return new SecretValue(JSON.writeValueAsBytes(node), false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode fields as JSON", e);
        }
    }

    /** Takes ownership of {@code bytes} without copying; for providers that just decoded them. */
    public static SecretValue wrap(byte[] bytes) {
        return new SecretValue(Objects.requireNonNull(bytes, "bytes"), false);
    }

    /**
     * A view of the same bytes that {@link #destroy()} leaves alone; caches hand these out so
     * that one reader cannot wipe the value under the others.
     */
    public SecretValue shared() {
        return shared ? this : new SecretValue(bytes, true);
    }

    public boolean isShared() {
        return shared;
    }

    public int length() {
        checkAlive();
        return bytes.length;
    }

    /** A copy of the bytes; the caller owns it and should zero it when done. */
    public byte[] bytes() {
        checkAlive();
        return bytes.clone();
    }

    /** The value decoded as UTF-8; fails if the bytes are not valid UTF-8. */
    public String asUtf8() {
        checkAlive();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("secret value is not valid UTF-8 text");
        }
    }

    /** True if the value parses as a JSON object. */
    public boolean isJsonObject() {
        checkAlive();
        try (JsonParser p = JSON.createParser(bytes)) {
            return p.nextToken() == JsonToken.START_OBJECT;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * One top-level field of a JSON object value. A string field gives its text; any other
     * JSON value gives its JSON text.
     *
     * @throws SecretFieldException if the value is not a JSON object or has no such field; the
     *     message names the field, never the content
     */
    public SecretValue field(String name) {
        Objects.requireNonNull(name, "name");
        checkAlive();
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            // The parser's message quotes the input: never pass it on.
            throw new SecretFieldException("value is not a JSON object, so it has no field '" + name + "'");
        }
        if (root == null || !root.isObject()) {
            throw new SecretFieldException("value is not a JSON object, so it has no field '" + name + "'");
        }
        JsonNode node = root.get(name);
        if (node == null) {
            throw new SecretFieldException("value has no field '" + name + "'");
        }
        String text = node.isTextual() ? node.textValue() : node.toString();
        return new SecretValue(text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Zeroes the bytes; later reads fail. Does nothing on a {@linkplain #shared() shared} view. */
    public void destroy() {
        if (!shared) {
            destroyed = true;
            Arrays.fill(bytes, (byte) 0);
        }
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException("secret value was destroyed");
        }
    }

    /** Constant-time comparison of the bytes (in the length of the longer value). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SecretValue other)) {
            return false;
        }
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    /** Deliberately constant: a hash of the bytes would leak information about them. */
    @Override
    public int hashCode() {
        return 0x5ec7e7;
    }

    @Override
    public String toString() {
        return "SecretValue[<redacted>]";
    }
}
