package dev.rotor.rotator.postgres;

import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link PostgresPasswordRotator} gets the login of its admin role (a superuser, or a
 * role with {@code CREATEROLE} and the {@code ADMIN OPTION} on the rotated roles).
 *
 * <p>{@link #login()} is called each time the admin pool opens a new physical connection, so an
 * admin password that is itself rotated is picked up by the next connection without a restart.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface AdminCredentials {

    /**
     * The admin login to use for the next connection.
     *
     * @throws RotorException if it cannot be read; the message names where it was looked for,
     *     never a value
     */
    Login login();

    /** A fixed login, e.g. for programmatic use and tests. */
    static AdminCredentials of(String username, SecretValue password) {
        Login login = new Login(username, password);
        return () -> login;
    }

    /**
     * A login read from two environment variables at each new connection: the daemon's
     * deployment injects them (for example from a Kubernetes Secret).
     */
    static AdminCredentials fromEnvironment(String usernameVariable, String passwordVariable) {
        return fromEnvironment(usernameVariable, passwordVariable, System::getenv);
    }

    /** As {@link #fromEnvironment(String, String)}, reading variables through {@code env}. */
    static AdminCredentials fromEnvironment(String usernameVariable, String passwordVariable,
            Function<String, @Nullable String> env) {
        Objects.requireNonNull(usernameVariable, "usernameVariable");
        Objects.requireNonNull(passwordVariable, "passwordVariable");
        Objects.requireNonNull(env, "env");
        return () -> {
            String user = env.apply(usernameVariable);
            String password = env.apply(passwordVariable);
            if (user == null || user.isBlank() || password == null || password.isEmpty()) {
                throw new RotorException("the admin login for PostgreSQL is not set: environment variables "
                        + usernameVariable + " and " + passwordVariable + " must both be set");
            }
            return new Login(user, SecretValue.ofUtf8(password));
        };
    }

    /**
     * A login read from the CURRENT version of a secret holding a JSON object with
     * {@code username} and {@code password} fields. The store is asked at each new connection;
     * give it a caching store to keep that cheap.
     */
    static AdminCredentials fromSecret(SecretStore store, String path) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(path, "path");
        return () -> {
            Secret secret = store.get(path, Selector.CURRENT);
            try {
                String user = secret.value().field("username").asUtf8();
                return new Login(user, secret.value().field("password"));
            } catch (SecretFieldException | IllegalArgumentException e) {
                throw new RotorException("the admin secret " + path + " (version " + secret.version().id()
                        + ") needs string fields 'username' and 'password'");
            }
        };
    }
}
