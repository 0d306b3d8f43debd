package dev.rotor.rotator.mariadb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user name and password read from a secret's JSON value. {@link #toString()} shows the user
 * name only.
 */
record Login(String username, String password) {

    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    private static final ObjectMapper JSON = new ObjectMapper();

    Login {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Reads {@code username} and {@code password} from {@code secret}.
     *
     * @throws RotationException at {@code step} naming the secret, its version and the missing
     *     field, never the content
     */
    static Login of(Secret secret, Step step) {
        ObjectNode root = parse(secret.value(), step, secret);
        JsonNode user = root.get(USERNAME);
        JsonNode pass = root.get(PASSWORD);
        if (user == null || !user.isTextual() || user.textValue().isEmpty()) {
            throw new RotationException(step, describe(secret) + " has no text field '" + USERNAME + "'");
        }
        if (pass == null || !pass.isTextual()) {
            throw new RotationException(step, describe(secret) + " has no text field '" + PASSWORD + "'");
        }
        return new Login(user.textValue(), pass.textValue());
    }

    /** The user name of {@code secret}, or null if there is no secret. */
    static @Nullable String usernameOf(@Nullable Secret secret, Step step) {
        return secret == null ? null : of(secret, step).username();
    }

    /**
     * A new value: the fields of {@code current} (if any) with {@code username} and
     * {@code password} replaced, so that application fields such as a host name carry over.
     */
    static SecretValue next(@Nullable Secret current, String username, String password, Step step) {
        ObjectNode root = current == null ? JSON.createObjectNode() : parse(current.value(), step, current);
        root.put(USERNAME, username);
        root.put(PASSWORD, password);
        try {
            return SecretValue.wrap(JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new RotationException(step, "cannot encode the new secret value as JSON");
        }
    }

    private static ObjectNode parse(SecretValue value, Step step, Secret secret) {
        byte[] bytes = value.bytes();
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // The parser's message quotes the input: never pass it on.
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        throw new RotationException(step, describe(secret) + " is not a JSON object with '" + USERNAME + "' and '" + PASSWORD + "'");
    }

    private static String describe(Secret secret) {
        return "secret " + secret.path() + " version " + secret.version().id();
    }

    @Override
    public String toString() {
        return "Login[username=" + username + ", password=<redacted>]";
    }
}
