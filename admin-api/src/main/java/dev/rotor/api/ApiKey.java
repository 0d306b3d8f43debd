package dev.rotor.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An API key as the configuration holds it: a name, the SHA-256 of the key (never the key) and
 * the scopes it grants. Clients send the key itself in the {@code X-Api-Key} header.
 *
 * @param name shown in audit records as {@code apikey:<name>}; {@code [A-Za-z0-9._-]}, 1 to 64 characters
 * @param sha256 lower-case hex SHA-256 of the key's UTF-8 bytes ({@code printf %s "$KEY" | sha256sum})
 * @param scopes what the key may do
 */
public record ApiKey(String name, String sha256, Set<Scope> scopes) {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public ApiKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("API key name must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        sha256 = sha256.toLowerCase(java.util.Locale.ROOT);
        if (!HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 hex digits");
        }
        scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
    }

    /** The hex SHA-256 of a key as {@link #sha256()} holds it. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(digestOf(key));
    }

    /** The raw digest of {@code key}'s UTF-8 bytes. */
    public static byte[] digestOf(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Hides the hash: not a secret, but nothing a log needs. */
    @Override
    public String toString() {
        return "ApiKey[name=" + name + ", scopes=" + scopes + "]";
    }
}
