package dev.rotor.rotator.random;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link RandomSecretRotator} makes: {@code length} characters drawn uniformly from
 * {@code alphabet}, after a fixed non-secret {@code prefix}, stored as the JSON field
 * {@code field} (with its SHA-256 beside it if {@code includeHash}).
 *
 * @param length characters drawn at random (the prefix not counted); together with the alphabet
 *     they must give at least {@value #MIN_ENTROPY_BITS} bits of entropy
 * @param alphabet the characters to draw from: at least 2, distinct, printable ASCII other than
 *     space, quotes and backslash (see {@link #ALPHANUMERIC}, {@link #BASE64URL}, {@link #HEX})
 * @param field the JSON field holding the value, e.g. {@code value} or {@code apiKey}
 * @param prefix a fixed, non-secret start, e.g. {@code rk_live_} (may be empty)
 * @param includeHash also store {@code sha256}: the lower-case hex SHA-256 of the value's UTF-8 bytes
 * @param verifierPath if set, the path (in the store the rotator is given) where the SHA-256 of
 *     every value a verifier must accept is published as {@code {"format":1,"sha256":[...]}}:
 *     CURRENT, and during a rotation PENDING, until RETIRE removes PREVIOUS
 */
public record RandomSecretSettings(int length, String alphabet, String field, String prefix, boolean includeHash,
        @Nullable String verifierPath) {

    public static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    public static final String BASE64URL = ALPHANUMERIC + "-_";
    public static final String HEX = "0123456789abcdef";
    public static final int MIN_ENTROPY_BITS = 128;
    public static final int MAX_LENGTH = 4096;

    public RandomSecretSettings {
        List<ConfigProblem> problems = new ArrayList<>();
        if (alphabet == null || alphabet.length() < 2) {
            problems.add(new ConfigProblem("randomSecret.alphabet", "needs at least 2 characters"));
        } else {
            Set<Character> seen = new HashSet<>();
            for (int i = 0; i < alphabet.length(); i++) {
                char c = alphabet.charAt(i);
                if (c <= ' ' || c > '~' || c == '"' || c == '\'' || c == '\\' || c == '`') {
                    problems.add(new ConfigProblem("randomSecret.alphabet",
                            "may hold only printable ASCII other than space, quotes and backslash; found code " + (int) c + " at index " + i));
                    break;
                }
                if (!seen.add(c)) {
                    problems.add(new ConfigProblem("randomSecret.alphabet", "holds '" + c + "' twice"));
                    break;
                }
            }
        }
        if (length < 1 || length > MAX_LENGTH) {
            problems.add(new ConfigProblem("randomSecret.length", "must be 1 to " + MAX_LENGTH + ", was " + length));
        } else if (alphabet != null && alphabet.length() >= 2) {
            double bits = length * (Math.log(alphabet.length()) / Math.log(2));
            if (bits < MIN_ENTROPY_BITS) {
                problems.add(new ConfigProblem("randomSecret.length", String.format(java.util.Locale.ROOT,
                        "%d characters from %d give %.0f bits of entropy; at least %d are needed", length, alphabet.length(), bits,
                        MIN_ENTROPY_BITS)));
            }
        }
        if (field == null || !field.matches("[A-Za-z0-9._-]{1,64}")) {
            problems.add(new ConfigProblem("randomSecret.field", "must be 1 to 64 of A-Z a-z 0-9 . _ -"));
        } else if (includeHash && field.equals("sha256")) {
            problems.add(new ConfigProblem("randomSecret.field", "'sha256' is where the hash goes"));
        }
        if (prefix == null || !prefix.matches("[A-Za-z0-9._-]{0,32}")) {
            problems.add(new ConfigProblem("randomSecret.prefix", "must be at most 32 of A-Z a-z 0-9 . _ -"));
        }
        if (verifierPath != null) {
            try {
                SecretRef.checkPath(verifierPath);
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem("randomSecret.verifierPath", e.getMessage()));
            }
        }
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** 43 base64url characters (258 bits) in the field {@code value}, no prefix, no hash, no verifier. */
    public static RandomSecretSettings defaults() {
        return new RandomSecretSettings(43, BASE64URL, "value", "", false, null);
    }

    public RandomSecretSettings withLength(int newLength) {
        return new RandomSecretSettings(newLength, alphabet, field, prefix, includeHash, verifierPath);
    }

    public RandomSecretSettings withAlphabet(String newAlphabet) {
        return new RandomSecretSettings(length, newAlphabet, field, prefix, includeHash, verifierPath);
    }

    public RandomSecretSettings withField(String newField) {
        return new RandomSecretSettings(length, alphabet, newField, prefix, includeHash, verifierPath);
    }

    public RandomSecretSettings withPrefix(String newPrefix) {
        return new RandomSecretSettings(length, alphabet, field, newPrefix, includeHash, verifierPath);
    }

    public RandomSecretSettings withHash(boolean hash) {
        return new RandomSecretSettings(length, alphabet, field, prefix, hash, verifierPath);
    }

    public RandomSecretSettings withVerifierPath(@Nullable String path) {
        return new RandomSecretSettings(length, alphabet, field, prefix, includeHash, path);
    }
}
