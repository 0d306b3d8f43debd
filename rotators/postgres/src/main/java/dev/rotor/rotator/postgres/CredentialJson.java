package dev.rotor.rotator.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import java.io.IOException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the credential secret: a JSON object with string fields {@code username} and
 * {@code password}. Any other fields (host, port, database, ...) are carried over unchanged into
 * the next version. Messages name the secret's path and version, never a value.
 */
final class CredentialJson {

    static final String USERNAME = "username";
    static final String PASSWORD = "password";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialJson() {}

    /** The secret's user name. @throws RotationException at {@code step} if it has none */
    static String username(Secret secret, Step step) {
        ObjectNode root = parse(secret, step);
        JsonNode user = root.get(USERNAME);
        if (user == null || !user.isTextual() || user.textValue().isBlank()) {
            throw new RotationException(step, describe(secret) + " has no string field '" + USERNAME + "'");
        }
        return user.textValue();
    }

    /** The secret's user name and password. @throws RotationException at {@code step} if either is missing */
    static Login login(Secret secret, Step step) {
        ObjectNode root = parse(secret, step);
        JsonNode user = root.get(USERNAME);
        JsonNode password = root.get(PASSWORD);
        if (user == null || !user.isTextual() || user.textValue().isBlank()) {
            throw new RotationException(step, describe(secret) + " has no string field '" + USERNAME + "'");
        }
        if (password == null || !password.isTextual() || password.textValue().isEmpty()) {
            throw new RotationException(step, describe(secret) + " has no string field '" + PASSWORD + "'");
        }
        return new Login(user.textValue(), SecretValue.ofUtf8(password.textValue()));
    }

    /**
     * The next credential: every field of {@code current} (if any) except the user name and
     * password, then the given ones.
     */
    static SecretValue next(@Nullable Secret current, String username, SecretValue password, Step step) {
        ObjectNode out = JSON.createObjectNode();
        if (current != null) {
            parse(current, step).fields().forEachRemaining(e -> {
                if (!e.getKey().equals(USERNAME) && !e.getKey().equals(PASSWORD)) {
                    out.set(e.getKey(), e.getValue());
                }
            });
        }
        out.put(USERNAME, username);
        out.put(PASSWORD, password.asUtf8());
        try {
            return SecretValue.wrap(JSON.writeValueAsBytes(out));
        } catch (IOException e) {
            throw new RotationException(step, "cannot encode the new credential as JSON");
        }
    }

    private static ObjectNode parse(Secret secret, Step step) {
        byte[] bytes = secret.value().bytes();
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // The parser's message quotes the input: never pass it on.
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        throw new RotationException(step, describe(secret) + " is not a JSON object with '" + USERNAME + "' and '"
                + PASSWORD + "' fields");
    }

    private static String describe(Secret secret) {
        return "secret " + secret.path() + " (version " + secret.version().id() + ")";
    }
}
