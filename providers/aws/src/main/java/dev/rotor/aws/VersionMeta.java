package dev.rotor.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What Rotor records about one version beyond what AWS keeps: when it was written and its
 * tags. AWS tags belong to a secret, not to a version, so each version's record is kept in one
 * secret tag, {@code rotor:v:<versionId>}, whose value is the base64url (unpadded) encoding of
 * {@code {"c":<epoch millis>,"t":{<tags>}}}. An AWS tag value holds at most 256 characters,
 * which leaves 192 bytes of JSON for a version's tags.
 *
 * <p>Never holds a secret value: tags are metadata and appear in AWS's console and logs.
 */
record VersionMeta(Instant created, Map<String, String> tags) {

    static final String TAG_PREFIX = "rotor:v:";
    static final int MAX_TAG_VALUE_CHARS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    VersionMeta {
        Objects.requireNonNull(created, "created");
        tags = Map.copyOf(tags);
    }

    static String tagKey(String versionId) {
        return TAG_PREFIX + versionId;
    }

    /** The version id a tag key names, if it is one of Rotor's version tags. */
    static Optional<String> versionIdOf(String tagKey) {
        return tagKey.startsWith(TAG_PREFIX) && tagKey.length() > TAG_PREFIX.length()
                ? Optional.of(tagKey.substring(TAG_PREFIX.length()))
                : Optional.empty();
    }

    /** The tag value; may be longer than AWS allows, which {@link #fits} tells. */
    String encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("c", created.toEpochMilli());
        ObjectNode t = root.putObject("t");
        new TreeMap<>(tags).forEach(t::put);
        try {
            byte[] json = JSON.writeValueAsBytes(root);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode version metadata", e);
        }
    }

    static boolean fits(String encoded) {
        return encoded.length() <= MAX_TAG_VALUE_CHARS;
    }

    /** The record in a tag value, or empty if the value is not one Rotor wrote. */
    static Optional<VersionMeta> decode(String value) {
        try {
            JsonNode root = JSON.readTree(new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8));
            if (root == null || !root.isObject() || !root.path("c").isIntegralNumber()) {
                return Optional.empty();
            }
            Map<String, String> tags = new TreeMap<>();
            JsonNode t = root.path("t");
            if (t.isObject()) {
                for (Map.Entry<String, JsonNode> e : t.properties()) {
                    tags.put(e.getKey(), e.getValue().asText());
                }
            }
            return Optional.of(new VersionMeta(Instant.ofEpochMilli(root.path("c").longValue()), tags));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
