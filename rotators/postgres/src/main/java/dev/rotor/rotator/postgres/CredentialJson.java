package dev.rotor.rotator.postgres;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.rotator.sql.LoginJson;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the credential secret (see {@link LoginJson}): a JSON object with string
 * fields {@code username} and {@code password}; any other fields are carried over unchanged into
 * the next version. Messages name the secret's path and version, never a value.
 */
final class CredentialJson {

    private CredentialJson() {}

    /** The secret's user name. @throws RotationException at {@code step} if it has none */
    static String username(Secret secret, Step step) {
        return username(parse(secret, step), secret, step);
    }

    /** The secret's user name and password. @throws RotationException at {@code step} if either is missing */
    static Login login(Secret secret, Step step) {
        ObjectNode root = parse(secret, step);
        String user = username(root, secret, step);
        String password = LoginJson.text(root, LoginJson.PASSWORD);
        if (password == null || password.isEmpty()) {
            throw missing(secret, step, LoginJson.PASSWORD);
        }
        return new Login(user, SecretValue.ofUtf8(password));
    }

    /** The next credential: the fields of {@code current} (if any) with the user name and password replaced. */
    static SecretValue next(@Nullable Secret current, String username, SecretValue password, Step step) {
        return LoginJson.next(current == null ? null : parse(current, step), username, password.asUtf8(), step);
    }

    private static String username(ObjectNode root, Secret secret, Step step) {
        String user = LoginJson.text(root, LoginJson.USERNAME);
        if (user == null || user.isBlank()) {
            throw missing(secret, step, LoginJson.USERNAME);
        }
        return user;
    }

    private static RotationException missing(Secret secret, Step step, String field) {
        return new RotationException(step, describe(secret) + " has no string field '" + field + "'");
    }

    private static ObjectNode parse(Secret secret, Step step) {
        return LoginJson.object(secret, step, () -> describe(secret) + " is not a JSON object with '" + LoginJson.USERNAME + "' and '"
                + LoginJson.PASSWORD + "' fields");
    }

    private static String describe(Secret secret) {
        return "secret " + secret.path() + " (version " + secret.version().id() + ")";
    }
}
