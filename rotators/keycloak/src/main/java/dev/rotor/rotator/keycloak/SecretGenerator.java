package dev.rotor.rotator.keycloak;

import dev.rotor.SecretValue;
import java.security.SecureRandom;

/**
 * New client secrets: letters and digits from {@link SecureRandom}. The alphabet needs no
 * escaping in JSON, form bodies or HTTP Basic credentials, and is the one Keycloak uses for the
 * secrets it generates itself. 40 characters carry about 238 bits.
 *
 * <p>Thread-safe.
 */
final class SecretGenerator {

    static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final SecureRandom random;
    private final int length;

    SecretGenerator(SecureRandom random, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be positive (was " + length + ")");
        }
        this.random = random;
        this.length = length;
    }

    SecretValue next() {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return SecretValue.wrap(bytes);
    }

    int length() {
        return length;
    }
}
