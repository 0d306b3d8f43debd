package dev.rotor.rotator.keycloak;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import dev.rotor.testkit.RotatorContract;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rotator contract for the alternating strategy against the real Keycloak: two clients take
 * turns; the one a rotation left keeps working until the next rotation.
 */
class KeycloakAlternatingContractIT extends RotatorContract {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    private KeycloakTestAdmin kc;
    private Fixture f;
    private SecretValue initial;

    @BeforeEach
    void realm() {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        f = new Fixture(kc, "contract-alternating").rotatorClient();
        initial = SecretValue.ofFields(Map.of("clientId", "billing-a", "clientSecret", f.target("billing-a")));
        f.target("billing-b");
    }

    @AfterEach
    void dropRealm() {
        kc.deleteRealm(f.realm);
    }

    @Override
    protected Rotator createRotator(SecretStore store) {
        return f.rotator(KeycloakStrategy.ALTERNATING, "billing-a", "billing-b").build();
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
        return PreviousBehaviour.VALID_UNTIL_NEXT_ROTATION;
    }
}
