package dev.rotor.azure;

import dev.rotor.SecretValue;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Rotor values are bytes; Azure secret values are strings. A value that is valid UTF-8 is stored
 * as that text, so a plain reader gets a JSON object value as the JSON text it is. Any other
 * bytes are stored base64-encoded, marked by the content type {@value #BASE64}. The content type
 * of text says what it is ({@value #JSON} or {@value #TEXT}), as a hint for plain readers.
 *
 * <p>Stateless. The strings made here cannot be wiped: Java strings are immutable, and the Azure
 * SDK takes and returns values as strings.
 */
final class ValueCodec {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String BASE64 = "application/octet-stream; encoding=base64";
    /** The content type of a marker version in a PENDING secret, which holds no value of Rotor's. */
    static final String MARKER = "application/vnd.rotor.marker";

    private ValueCodec() {}

    record Encoded(String text, String contentType) {
        @Override
        public String toString() {
            return "Encoded[" + contentType + ", <redacted>]";
        }
    }

    static Encoded encode(SecretValue value) {
        byte[] bytes = value.bytes();
        try {
            String text = utf8(bytes);
            if (text != null) {
                return new Encoded(text, value.isJsonObject() ? JSON : TEXT);
            }
            return new Encoded(Base64.getEncoder().encodeToString(bytes), BASE64);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The length of the stored string for a value of {@code bytes} bytes that is not UTF-8. */
    static int base64Length(int bytes) {
        return 4 * ((bytes + 2) / 3);
    }

    static SecretValue decode(@Nullable String text, @Nullable String contentType) {
        String s = text == null ? "" : text;
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).replace(" ", "").equals(BASE64.replace(" ", ""))) {
            try {
                return SecretValue.wrap(Base64.getDecoder().decode(s));
            } catch (IllegalArgumentException e) {
                // Written by someone else under our content type: give the text as it is.
                return SecretValue.wrap(s.getBytes(StandardCharsets.UTF_8));
            }
        }
        return SecretValue.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static boolean isBinary(SecretValue value) {
        byte[] bytes = value.bytes();
        try {
            return utf8(bytes) == null;
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    private static @Nullable String utf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
