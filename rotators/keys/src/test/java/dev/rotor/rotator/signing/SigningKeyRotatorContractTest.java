package dev.rotor.rotator.signing;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import dev.rotor.testkit.RotatorContract;
import java.time.Duration;
import java.util.Date;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;

/**
 * The contract for signing keys of each algorithm. A key set "works" if a token signed with its
 * current key verifies against the JWKS as published. The JWKS is published into the in-memory
 * reference store, so this is a unit test.
 */
class SigningKeyRotatorContractTest {

    static final String JWKS = "public/jwks";
    static final Duration TTL = Duration.ofMinutes(10);
    static final Duration LIFETIME = Duration.ofHours(1);

    abstract static class Base extends RotatorContract {
        abstract SigningAlgorithm algorithm();

        @Override
        protected Rotator createRotator(SecretStore store) {
            return new SigningKeyRotator(SigningKeySettings.of(algorithm(), TTL, LIFETIME, JWKS), store);
        }

        @Override
        protected @Nullable SecretValue initialCredential() {
            return null;
        }

        @Override
        protected boolean works(SecretValue credential) {
            SigningKeySet set = SigningKeySet.parse(credential);
            var token = set.sign(new JWTClaimsSet.Builder().subject("probe").issueTime(Date.from(clock().instant())).build());
            return Jwks.read(store(), JWKS).map(jwks -> Jwks.verifies(token, jwks)).orElse(false);
        }

        @Override
        protected PreviousBehaviour previousBehaviour() {
            return PreviousBehaviour.VALID_UNTIL_RETIRE;
        }

        @Override
        protected Duration gracePeriod() {
            return LIFETIME;
        }

        /** The rolled-back set's current key was the published "next" key before the run, and stays published. */
        @Override
        protected boolean rolledBackCredentialMayWork() {
            return true;
        }
    }

    @Nested
    class Rs256 extends Base {
        @Override
        SigningAlgorithm algorithm() {
            return SigningAlgorithm.RS256;
        }
    }

    @Nested
    class Es256 extends Base {
        @Override
        SigningAlgorithm algorithm() {
            return SigningAlgorithm.ES256;
        }
    }

    @Nested
    class EdDsa extends Base {
        @Override
        SigningAlgorithm algorithm() {
            return SigningAlgorithm.EDDSA;
        }
    }
}
