package dev.rotor.hikari;

import dev.rotor.SecretValue;
import java.util.Objects;

/**
 * A user name and password taken from one read of one version of the secret, so the two always
 * belong together. {@code generation} orders the credentials a pool has used: each switch gets
 * a higher one. {@link #toString()} shows neither the user name nor the password.
 */
record DbCredential(String versionId, long generation, String username, SecretValue password) {

    DbCredential {
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    DbCredential withGeneration(long newGeneration) {
        return new DbCredential(versionId, newGeneration, username, password);
    }

    @Override
    public String toString() {
        return "DbCredential[version=" + versionId + ", generation=" + generation + ", username=<redacted>, password=<redacted>]";
    }
}
