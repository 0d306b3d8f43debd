package dev.rotor.rotator.keycloak;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import dev.rotor.testkit.RotatorContract;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rotator contract for the dual-secret strategy against the real Keycloak: the realm's
 * client-secret rotation policy keeps the old secret valid until RETIRE.
 */
class KeycloakDualSecretContractIT extends RotatorContract {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    private KeycloakTestAdmin kc;
    private Fixture f;
    private SecretValue initial;

    @BeforeEach
    void realm() {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        f = new Fixture(kc, "contract-dual").rotatorClient();
        // the overlap is Keycloak's, in real time: longer than any test takes
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(6), Duration.ofDays(30));
        initial = SecretValue.ofFields(Map.of("clientId", "billing", "clientSecret", f.target("billing")));
    }

    @AfterEach
    void dropRealm() {
        kc.deleteRealm(f.realm);
    }

    @Override
    protected Rotator createRotator(SecretStore store) {
        return f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").build();
    }

    @Override
    protected SecretValue initialCredential() {
        return initial;
    }

    @Override
    protected boolean works(SecretValue credential) {
        return kc.tokenWorks(f.realm, Fixture.clientId(credential), Fixture.clientSecret(credential));
    }

    @Override
    protected PreviousBehaviour previousBehaviour() {
        return PreviousBehaviour.VALID_UNTIL_RETIRE;
    }
}
