package dev.rotor.rotator.sql;

import dev.rotor.SecretRef;
import org.jspecify.annotations.Nullable;

/**
 * Where a SQL rotator's admin login comes from, as its settings name it: a secret holding
 * {@code {"username":..,"password":..}}, or environment variables (the user name may also be
 * given as is, where a rotator allows it). Never a password itself. Which combinations are valid,
 * and what is read when, is each rotator's own rule.
 *
 * @param secret the secret holding the login, or {@code null}
 * @param username the user name as is, or {@code null}
 * @param usernameEnv the environment variable holding the user name, or {@code null}
 * @param passwordEnv the environment variable holding the password, or {@code null}
 */
public record AdminSource(@Nullable SecretRef secret, @Nullable String username, @Nullable String usernameEnv,
        @Nullable String passwordEnv) {

    /** No source: what binding yields when the settings name none that is valid. */
    public static final AdminSource NONE = new AdminSource(null, null, null, null);
}
