package dev.rotor.rotator.random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.StoreReads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The published list of SHA-256 hashes a verifier accepts ({@code {"format":1,"sha256":[hex, ...]}}),
 * so that an API-key or webhook verifier can check a presented value without ever reading the
 * secret itself. Stateless.
 */
public final class VerifierHashes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VerifierHashes() {}

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code value}. */
    public static String sha256(CharSequence value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    /**
     * The hashes published at {@code path} (read past any cache), or empty if nothing is.
     *
     * @throws RotorException if what is there is not such a list
     */
    public static Optional<List<String>> read(SecretStore store, String path) {
        Secret s = StoreReads.current(store, path).orElse(null);
        if (s == null) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(s.value().bytes());
            if (n == null || n.path("format").asInt() != 1 || !n.path("sha256").isArray()) {
                throw notAList(store, path);
            }
            List<String> out = new ArrayList<>();
            n.get("sha256").forEach(h -> out.add(h.asText()));
            return Optional.of(List.copyOf(out));
        } catch (IOException e) {
            throw notAList(store, path);
        }
    }

    /** Whether {@code presented} hashes to one of the hashes published at {@code path} (compared in constant time). */
    public static boolean accepts(SecretStore store, String path, CharSequence presented) {
        byte[] h = sha256(presented).getBytes(StandardCharsets.US_ASCII);
        boolean found = false;
        for (String accepted : read(store, path).orElse(List.of())) {
            found |= MessageDigest.isEqual(h, accepted.getBytes(StandardCharsets.US_ASCII));
        }
        return found;
    }

    /** Publishes exactly {@code hashes} (in order) unless that is what is published already. */
    static void publish(SecretStore store, String path, List<String> hashes) {
        if (read(store, path).filter(hashes::equals).isPresent()) {
            return;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("format", 1);
        ArrayNode a = n.putArray("sha256");
        hashes.forEach(a::add);
        store.put(path, SecretValue.ofUtf8(n.toString()), PutOptions.current());
    }

    private static RotorException notAList(SecretStore store, String path) {
        return new RotorException("secret '" + path + "' in store '" + store.name() + "' is not a list of verifier hashes");
    }
}
