package dev.rotor.rotator.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The credential secret of a SQL password rotator: a JSON object with text fields
 * {@value #USERNAME} and {@value #PASSWORD}. Any other fields (a host or database name for the
 * application, say) are carried over unchanged into each new version. The rotators word their own
 * messages about a bad secret; nothing here ever puts a value, or a parser message that may quote
 * one, into a message. Stateless.
 */
public final class LoginJson {

    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoginJson() {}

    /**
     * The secret's value as a JSON object. The copy of the value read here is zeroed.
     *
     * @param notAnObject the message if it is not a JSON object, naming the secret but not quoting it
     * @throws RotationException at {@code step} if the value is not a JSON object
     */
    public static ObjectNode object(Secret secret, Step step, Supplier<String> notAnObject) {
        byte[] bytes = secret.value().bytes();
        try {
            if (JSON.readTree(bytes) instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // The parser's message quotes the input: never pass it on.
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        throw new RotationException(step, notAnObject.get());
    }

    /** The text of {@code field}, or {@code null} if it is absent or not text. */
    public static @Nullable String text(ObjectNode object, String field) {
        JsonNode node = object.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /**
     * The next credential: {@code current} (if any) with its user name and password replaced, so
     * its other fields carry over in their order.
     *
     * @param current the current credential as read by {@link #object}, or {@code null} for none;
     *     it is changed
     * @throws RotationException at {@code step} if the JSON cannot be written
     */
    public static SecretValue next(@Nullable ObjectNode current, String username, String password, Step step) {
        ObjectNode out = current == null ? JSON.createObjectNode() : current;
        out.put(USERNAME, username);
        out.put(PASSWORD, password);
        try {
            return SecretValue.wrap(JSON.writeValueAsBytes(out));
        } catch (JsonProcessingException e) {
            throw new RotationException(step, "cannot encode the new credential as JSON");
        }
    }
}
