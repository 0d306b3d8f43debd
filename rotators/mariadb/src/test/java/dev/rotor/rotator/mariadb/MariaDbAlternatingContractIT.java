package dev.rotor.rotator.mariadb;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The rotator contract for alternating users (two accounts sharing a role) against a real MariaDB server. */
class MariaDbAlternatingContractIT extends MariaDbContractSupport {

    private String role;
    private String blue;
    private String green;

    @BeforeEach
    void twoAccountsSharingARole() {
        role = MariaDbTestSupport.uniqueUser("contract_role");
        server().exec("CREATE ROLE " + role, "GRANT SELECT ON mysql.db TO " + role);
        blue = account(MariaDbTestSupport.uniqueUser("contract_blue"), "Contract-blue-0", role);
        green = account(MariaDbTestSupport.uniqueUser("contract_green"), "Contract-green-0", role);
        server().exec("SET DEFAULT ROLE " + role + " FOR '" + blue + "'@'%'", "SET DEFAULT ROLE " + role + " FOR '" + green + "'@'%'");
    }

    @AfterEach
    void dropRole() {
        server().exec("DROP ROLE IF EXISTS " + role);
    }

    @Override
    protected Rotator createRotator(SecretStore store) {
        return open(MariaDbRotatorSettings.builder().strategy(Strategy.ALTERNATING_USERS).users(blue, green)
                .verifyQuery("SELECT COUNT(*) FROM mysql.db"));
    }

    @Override
    protected SecretValue initialCredential() {
        return SecretValue.ofFields(Map.of("username", blue, "password", "Contract-blue-0"));
    }

    @Override
    protected PreviousBehaviour previousBehaviour() {
        return PreviousBehaviour.VALID_UNTIL_NEXT_ROTATION;
    }
}
