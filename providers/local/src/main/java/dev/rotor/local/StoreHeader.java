package dev.rotor.local;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The store header file {@code rotor-store.json}: identifies the directory as a Rotor store and
 * records the store id and the key-check value. Written once when the store is created.
 *
 * @param storeId 16 random bytes; HKDF salt and part of every MAC and associated data
 * @param created when the store was created
 * @param keyCheck HKDF output for the label {@code rotor-local/v1/key-check}: tells a wrong
 *     master key apart from a corrupt file
 */
record StoreHeader(byte[] storeId, Instant created, byte[] keyCheck) {

    static final String FILE_NAME = "rotor-store.json";
    static final String FORMAT = "rotor-local-store";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    StoreHeader {
        if (storeId.length != SecretFile.STORE_ID_LENGTH) {
            throw new IllegalArgumentException("store id must be " + SecretFile.STORE_ID_LENGTH + " bytes");
        }
        storeId = storeId.clone();
        keyCheck = keyCheck.clone();
    }

    String storeIdHex() {
        return HexFormat.of().formatHex(storeId);
    }

    byte[] encode() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("formatVersion", FORMAT_VERSION);
        n.put("storeId", storeIdHex());
        n.put("created", created.toString());
        n.put("kdf", "HKDF-SHA256");
        n.put("cipher", "AES-256-GCM");
        n.put("keyCheck", Base64.getEncoder().encodeToString(keyCheck));
        try {
            byte[] text = JSON.writeValueAsBytes(n);
            byte[] withNewline = Arrays.copyOf(text, text.length + 1);
            withNewline[text.length] = '\n';
            return withNewline;
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot encode the store header", e);
        }
    }

    /**
     * Parses a header.
     *
     * @throws SecretFile.CorruptFileException saying what is wrong
     */
    static StoreHeader decode(byte[] content) throws SecretFile.CorruptFileException {
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (IOException e) {
            throw new SecretFile.CorruptFileException("it is not valid JSON");
        }
        if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())) {
            throw new SecretFile.CorruptFileException("it is not a Rotor local store header (\"format\" is not \"" + FORMAT + "\")");
        }
        int version = n.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new SecretFile.CorruptFileException("it has format version " + version + ", this Rotor reads version " + FORMAT_VERSION);
        }
        try {
            byte[] id = HexFormat.of().parseHex(n.path("storeId").asText());
            byte[] check = Base64.getDecoder().decode(n.path("keyCheck").asText());
            if (id.length != SecretFile.STORE_ID_LENGTH || check.length != 32) {
                throw new SecretFile.CorruptFileException("storeId or keyCheck has the wrong length");
            }
            return new StoreHeader(id, Instant.parse(n.path("created").asText()), check);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new SecretFile.CorruptFileException("storeId, created or keyCheck is malformed");
        }
    }

    static Path file(Path directory) {
        return directory.resolve(FILE_NAME);
    }

    @Override
    public String toString() {
        return "StoreHeader[" + storeIdHex() + ", created " + created + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreHeader h && Arrays.equals(storeId, h.storeId)
                && created.equals(h.created) && Arrays.equals(keyCheck, h.keyCheck);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(storeId);
    }
}
