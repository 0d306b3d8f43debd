package dev.rotor.rotator.mariadb;

import dev.rotor.rotator.sql.RandomPasswords;
import java.security.SecureRandom;

/**
 * Makes random passwords from {@link RandomPasswords#ALPHABET}, which survives every quoting they
 * are likely to meet: SQL literals, JDBC URLs, JSON, YAML and shell words. Each password starts
 * with a letter (never an option-like {@code -}) and holds at least one upper-case letter, one lower-case letter, one digit and one of
 * the four symbols, which satisfies the usual password-policy plugins. A 32-character password
 * carries about 190 bits of entropy.
 *
 * <p>Thread-safe: {@link SecureRandom} is.
 */
final class PasswordGenerator {

    static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    static final String DIGITS = RandomPasswords.DIGITS;
    static final String SYMBOLS = RandomPasswords.SYMBOLS;
    static final String ALPHABET = RandomPasswords.ALPHABET;
    static final int MIN_LENGTH = 16;
    static final int MAX_LENGTH = 128;

    private final SecureRandom random;

    PasswordGenerator(SecureRandom random) {
        this.random = random;
    }

    PasswordGenerator() {
        this(new SecureRandom());
    }

    String generate(int length) {
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            throw new IllegalArgumentException("password length must be between " + MIN_LENGTH + " and " + MAX_LENGTH);
        }
        char[] out = new char[length];
        // Draw uniformly and draw again until every class is present. Mostly the symbols are
        // missing: that happens about 2 times in 5 at 16 characters and 1 in 7 at 32, so fewer
        // than 2 draws are needed on average; unlike placing one character of each class at
        // fixed places, this keeps every position uniform.
        do {
            RandomPasswords.fill(out, random, RandomPasswords.LETTERS);
        } while (!hasEveryClass(out));
        return new String(out);
    }

    static boolean hasEveryClass(char[] password) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        boolean symbol = false;
        for (char c : password) {
            upper |= UPPER.indexOf(c) >= 0;
            lower |= LOWER.indexOf(c) >= 0;
            digit |= DIGITS.indexOf(c) >= 0;
            symbol |= SYMBOLS.indexOf(c) >= 0;
        }
        return upper && lower && digit && symbol;
    }
}
