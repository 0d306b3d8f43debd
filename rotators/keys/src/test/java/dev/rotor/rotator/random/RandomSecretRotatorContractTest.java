package dev.rotor.rotator.random;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import dev.rotor.testkit.RotatorContract;
import org.jspecify.annotations.Nullable;

/**
 * The contract for a random secret whose target is a published verifier list: an API key that
 * verifiers check by hash. The store is the in-memory reference store, which is also where the
 * list is published, so this is a unit test.
 */
class RandomSecretRotatorContractTest extends RotatorContract {

    private static final String VERIFIER = "verifiers/api-key";

    @Override
    protected Rotator createRotator(SecretStore store) {
        return new RandomSecretRotator(RandomSecretSettings.defaults().withPrefix("rk_").withHash(true).withVerifierPath(VERIFIER), store);
    }

    @Override
    protected @Nullable SecretValue initialCredential() {
        return null;
    }

    @Override
    protected boolean works(SecretValue credential) {
        return VerifierHashes.accepts(store(), VERIFIER, credential.field("value").asUtf8());
    }

    @Override
    protected PreviousBehaviour previousBehaviour() {
        return PreviousBehaviour.VALID_UNTIL_RETIRE;
    }
}
