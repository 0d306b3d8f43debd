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

/** The rotator contract for the single-user strategy, against a real PostgreSQL: PREVIOUS stops working at once. */
class PostgresSingleUserContractIT extends RotatorContract {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<PostgresPasswordRotator> rotators = new ArrayList<>();
    private String role = "";
    private SecretValue initial = SecretValue.ofUtf8("");

    @BeforeEach
    void createRole() {
        role = "contract_single_" + IDS.incrementAndGet();
        String password = new PasswordGenerator(40).generate().asUtf8();
        PG.admin("CREATE ROLE " + role + " LOGIN");
        PG.setPassword(role, password);
        initial = SecretValue.ofFields(Map.of("username", role, "password", password));
    }

    @AfterEach
    void closeRotators() {
        rotators.forEach(PostgresPasswordRotator::close);
    }

    @Override
    protected Rotator createRotator(SecretStore store) {
        PostgresPasswordRotator r = new PostgresPasswordRotator(settings(PG).singleUser(role).build(), adminCredentials());
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
        return PreviousBehaviour.INVALID;
    }
}
