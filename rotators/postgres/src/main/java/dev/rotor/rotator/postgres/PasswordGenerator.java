package dev.rotor.rotator.postgres;

import dev.rotor.SecretValue;
import dev.rotor.rotator.sql.RandomPasswords;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Random passwords from {@link RandomPasswords#ALPHABET}, which needs no quoting anywhere a
 * PostgreSQL password travels: the password is unchanged inside an SQL literal, a libpq key/value
 * string, a connection URI, a JDBC URL and a shell word. The first character is a letter or digit
 * so that the password is never mistaken for a command-line option.
 *
 * <p>With the default length of 40 a password carries about 241 bits of entropy.
 *
 * <p>Thread-safe ({@link SecureRandom} is).
 */
public final class PasswordGenerator {

    /** Letters, digits and the URI-unreserved marks {@code - . _ ~}. */
    public static final String ALPHABET = RandomPasswords.ALPHABET;
    private static final String ALPHANUMERIC = RandomPasswords.LETTERS + RandomPasswords.DIGITS;

    private final SecureRandom random;
    private final int length;

    public PasswordGenerator(int length) {
        this(length, new SecureRandom());
    }

    PasswordGenerator(int length, SecureRandom random) {
        if (length < PostgresRotatorSettings.MIN_PASSWORD_LENGTH || length > PostgresRotatorSettings.MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("password length must be between " + PostgresRotatorSettings.MIN_PASSWORD_LENGTH
                    + " and " + PostgresRotatorSettings.MAX_PASSWORD_LENGTH);
        }
        this.length = length;
        this.random = random;
    }

    public int length() {
        return length;
    }

    /** A new password; the caller owns it. */
    public SecretValue generate() {
        char[] chars = new char[length];
        RandomPasswords.fill(chars, random, ALPHANUMERIC);
        // Encode without an intermediate String, so the only copies are ones we zero.
        var buffer = StandardCharsets.US_ASCII.encode(CharBuffer.wrap(chars));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        Arrays.fill(chars, '\0');
        if (buffer.hasArray()) {
            Arrays.fill(buffer.array(), (byte) 0);
        }
        return SecretValue.wrap(bytes);
    }

    @Override
    public String toString() {
        return "PasswordGenerator[length=" + length + "]";
    }
}
