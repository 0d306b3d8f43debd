package dev.rotor.rotator.mariadb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.rotator.sql.LoginJson;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user name and password read from a secret's JSON value (see {@link LoginJson}).
 * {@link #toString()} shows the user name only.
 */
record Login(String username, String password) {

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
        ObjectNode root = parse(secret, step);
        String user = LoginJson.text(root, LoginJson.USERNAME);
        String pass = LoginJson.text(root, LoginJson.PASSWORD);
        if (user == null || user.isEmpty()) {
            throw new RotationException(step, describe(secret) + " has no text field '" + LoginJson.USERNAME + "'");
        }
        if (pass == null) {
            throw new RotationException(step, describe(secret) + " has no text field '" + LoginJson.PASSWORD + "'");
        }
        return new Login(user, pass);
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
        return LoginJson.next(current == null ? null : parse(current, step), username, password, step);
    }

    private static ObjectNode parse(Secret secret, Step step) {
        return LoginJson.object(secret, step, () -> describe(secret) + " is not a JSON object with '" + LoginJson.USERNAME + "' and '"
                + LoginJson.PASSWORD + "'");
    }

    private static String describe(Secret secret) {
        return "secret " + secret.path() + " version " + secret.version().id();
    }

    @Override
    public String toString() {
        return "Login[username=" + username + ", password=<redacted>]";
    }
}
