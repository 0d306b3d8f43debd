package dev.rotor.rotator.signing;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link SigningKeyRotator} makes and publishes keys.
 *
 * @param algorithm the keys' algorithm
 * @param rsaKeySize bits of an RS256 key: 2048 to 8192, a multiple of 8 (ignored for other algorithms)
 * @param jwksCacheTtl the longest time a verifier may cache the published JWKS: a new key is
 *     published at least this long before it signs (a rotation that comes sooner is refused,
 *     except in an emergency)
 * @param maxTokenLifetime the longest lifetime of a token signed with these keys: a key that
 *     stopped signing stays published at least this long (RETIRE before then is refused, except
 *     in an emergency). Give the engine a grace period at least this long
 * @param jwksPath the path, in the store the rotator is given, where the public JWKS is
 *     published (its CURRENT version is the JWKS JSON)
 */
public record SigningKeySettings(SigningAlgorithm algorithm, int rsaKeySize, Duration jwksCacheTtl, Duration maxTokenLifetime, String jwksPath) {

    public static final int DEFAULT_RSA_KEY_SIZE = 2048;

    public SigningKeySettings {
        List<ConfigProblem> problems = new ArrayList<>();
        if (algorithm == null) {
            problems.add(new ConfigProblem("signingKeys.algorithm", "is required (RS256, ES256 or EdDSA)"));
        }
        if (algorithm == SigningAlgorithm.RS256 && (rsaKeySize < 2048 || rsaKeySize > 8192 || rsaKeySize % 8 != 0)) {
            problems.add(new ConfigProblem("signingKeys.rsaKeySize", "must be 2048 to 8192 and a multiple of 8, was " + rsaKeySize));
        }
        checkDuration(problems, "signingKeys.jwksCacheTtl", jwksCacheTtl);
        checkDuration(problems, "signingKeys.maxTokenLifetime", maxTokenLifetime);
        if (jwksPath == null) {
            problems.add(new ConfigProblem("signingKeys.jwksPath", "is required"));
        } else {
            try {
                SecretRef.checkPath(jwksPath);
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem("signingKeys.jwksPath", e.getMessage()));
            }
        }
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** Settings with 2048-bit RSA keys where RSA applies. */
    public static SigningKeySettings of(SigningAlgorithm algorithm, Duration jwksCacheTtl, Duration maxTokenLifetime, String jwksPath) {
        return new SigningKeySettings(algorithm, DEFAULT_RSA_KEY_SIZE, jwksCacheTtl, maxTokenLifetime, jwksPath);
    }

    private static void checkDuration(List<ConfigProblem> problems, String field, Duration d) {
        if (d == null) {
            problems.add(new ConfigProblem(field, "is required"));
        } else if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(366)) > 0) {
            problems.add(new ConfigProblem(field, "must be positive and at most 366 days, was " + d));
        }
    }
}
