package dev.rotor.rotator.mariadb;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/** The rotator contract for single-user rotation against a real MariaDB server. */
class MariaDbSingleUserContractIT extends MariaDbContractSupport {

    private String user;

    @BeforeEach
    void anAccount() {
        user = account(MariaDbTestSupport.uniqueUser("contract_single"), "Contract-single-0");
    }

    @Override
    protected Rotator createRotator(SecretStore store) {
        return open(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER).username(user));
    }

    @Override
    protected SecretValue initialCredential() {
        return SecretValue.ofFields(Map.of("username", user, "password", "Contract-single-0", "database", "app"));
    }

    @Override
    protected PreviousBehaviour previousBehaviour() {
        return PreviousBehaviour.INVALID;
    }
}
