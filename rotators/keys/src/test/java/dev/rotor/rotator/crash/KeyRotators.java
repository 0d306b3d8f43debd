package dev.rotor.rotator.crash;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotator.random.RandomSecretRotator;
import dev.rotor.rotator.random.RandomSecretSettings;
import dev.rotor.rotator.random.VerifierHashes;
import dev.rotor.rotator.signing.Jwks;
import dev.rotor.rotator.signing.SigningAlgorithm;
import dev.rotor.rotator.signing.SigningKeyRotator;
import dev.rotor.rotator.signing.SigningKeySet;
import dev.rotor.rotator.signing.SigningKeySettings;
import java.time.Duration;
import java.util.Date;

/** The two rotators of this module as the crash tests configure them, and how to tell that a credential works. */
enum KeyRotators {
    RANDOM {
        @Override
        Rotator rotator(SecretStore store, String path) {
            return new RandomSecretRotator(RandomSecretSettings.defaults().withHash(true).withVerifierPath(verifierPath(path)), store);
        }

        @Override
        boolean works(SecretStore store, String path, SecretValue credential) {
            return VerifierHashes.accepts(store, verifierPath(path), credential.field("value").asUtf8());
        }
    },
    SIGNING {
        @Override
        Rotator rotator(SecretStore store, String path) {
            return new SigningKeyRotator(SigningKeySettings.of(SigningAlgorithm.ES256, TTL, LIFETIME, jwksPath(path)), store);
        }

        @Override
        boolean works(SecretStore store, String path, SecretValue credential) {
            var token = SigningKeySet.parse(credential).sign(new JWTClaimsSet.Builder().subject("probe").issueTime(new Date()).build());
            return Jwks.read(store, jwksPath(path)).map(j -> Jwks.verifies(token, j)).orElse(false);
        }
    };

    static final Duration TTL = Duration.ofMinutes(10);
    static final Duration LIFETIME = Duration.ofHours(1);

    abstract Rotator rotator(SecretStore store, String path);

    abstract boolean works(SecretStore store, String path, SecretValue credential);

    static String verifierPath(String path) {
        return "verifiers/" + path;
    }

    static String jwksPath(String path) {
        return "jwks/" + path;
    }
}
