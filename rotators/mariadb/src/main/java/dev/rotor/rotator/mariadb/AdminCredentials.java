package dev.rotor.rotator.mariadb;

import dev.rotor.SecretValue;
import java.util.Objects;

/**
 * The account the rotator changes other accounts' passwords with. It needs {@code CREATE USER}
 * (or {@code UPDATE} on the {@code mysql} schema) and {@code SELECT} on {@code mysql.user}; for
 * an emergency rotation of alternating users, also {@code PROCESS} and {@code CONNECTION ADMIN}
 * (or {@code SUPER}) to end the revoked account's open sessions.
 *
 * @param username the admin account's user name
 * @param password its password; {@link #toString()} never shows it
 */
public record AdminCredentials(String username, SecretValue password) {

    public AdminCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "AdminCredentials[username=" + username + ", password=<redacted>]";
    }
}
