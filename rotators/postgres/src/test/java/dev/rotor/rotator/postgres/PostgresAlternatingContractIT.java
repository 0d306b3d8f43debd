package dev.rotor.rotator.postgres;

import static dev.rotor.rotator.postgres.PostgresTestSettings.adminCredentials;
import static dev.rotor.rotator.postgres.PostgresTestSettings.settings;

import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.PreviousBehaviour;
import dev.rotor.testkit.RotatorContract;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rotator contract for the alternating strategy, against a real PostgreSQL: two login roles
 * in a group role; PREVIOUS keeps working until the next rotation.
 */
class PostgresAlternatingContractIT extends RotatorContract {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<PostgresPasswordRotator> rotators = new ArrayList<>();
    private String group = "";
    private String first = "";
    private String second = "";
    private SecretValue initial = SecretValue.ofUtf8("");

    @BeforeEach
    void createRoles() {
        int n = IDS.incrementAndGet();
        group = "contract_group_" + n;
        first = "contract_a_" + n;
        second = "contract_b_" + n;
        String password = new PasswordGenerator(40).generate().asUtf8();
        PG.admin("CREATE ROLE " + group + " NOLOGIN",
                "CREATE ROLE " + first + " LOGIN IN ROLE " + group,
                "CREATE ROLE " + second + " NOLOGIN IN ROLE " + group);
        PG.setPassword(first, password);
        initial = SecretValue.ofFields(Map.of("username", first, "password", password, "dbname", "postgres"));
    }

    @AfterEach
    void closeRotators() {
        rotators.forEach(PostgresPasswordRotator::close);
    }

    @Override
    protected Rotator createRotator(SecretStore store) {
        PostgresPasswordRotator r = new PostgresPasswordRotator(settings(PG).alternating(first, second).groupRole(group).build(),
                adminCredentials());
        rotators.add(r);
        return r;
    }

    @Override
    protected SecretValue initialCredential() {
        return initial;
    }

    @Override
    protected boolean works(SecretValue credential) {
        return PG.canLogin(credential.field("username").asUtf8(), credential.field("password").asUtf8());
    }

    @Override
    protected PreviousBehaviour previousBehaviour() {
        return PreviousBehaviour.VALID_UNTIL_NEXT_ROTATION;
    }
}
