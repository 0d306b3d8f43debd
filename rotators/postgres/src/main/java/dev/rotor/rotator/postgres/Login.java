package dev.rotor.rotator.postgres;

import dev.rotor.SecretValue;
import java.util.Objects;

/**
 * A PostgreSQL user name and password. {@link #toString()} shows the user name only.
 *
 * @param username the role to log in as
 * @param password its password
 */
public record Login(String username, SecretValue password) {

    public Login {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isBlank()) {
            throw new IllegalArgumentException("username is blank");
        }
    }

    @Override
    public String toString() {
        return "Login[username=" + username + ", password=<redacted>]";
    }
}
