package dev.rotor.rotator.sql;

import java.security.SecureRandom;

/**
 * The characters of generated database passwords and how they are drawn. The alphabet is the
 * ASCII letters, the digits and {@code - . _ ~} (what a URI never escapes), so a password needs no
 * quoting in an SQL literal, a JDBC URL or connection string, JSON, YAML or a shell word: no
 * quote, backslash, space, {@code $}, {@code %}, {@code @} or {@code :}. Each rotator adds its
 * database's rules (lengths, the first character, character classes). Stateless.
 */
public final class RandomPasswords {

    public static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public static final String DIGITS = "0123456789";
    public static final String SYMBOLS = "-._~";
    public static final String ALPHABET = LETTERS + DIGITS + SYMBOLS;

    private RandomPasswords() {}

    /**
     * Fills {@code out} with characters drawn uniformly: the first from {@code first} (so a
     * password never starts like a command-line option), the others from {@link #ALPHABET}.
     */
    public static void fill(char[] out, SecureRandom random, String first) {
        out[0] = first.charAt(random.nextInt(first.length()));
        for (int i = 1; i < out.length; i++) {
            out[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
    }
}
