package dev.rotor.rotator.mariadb;

import dev.rotor.SecretValue;
import dev.rotor.testkit.RotatorContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the MariaDB contract runs share: the server, the accounts of one test, and the login check. */
abstract class MariaDbContractSupport extends RotatorContract {

    @RegisterExtension
    static final MariaDbExtension MARIADB = new MariaDbExtension();

    private final List<String> accounts = new ArrayList<>();
    private final List<MariaDbPasswordRotator> rotators = new ArrayList<>();

    static MariaDbServer server() {
        return MARIADB.server();
    }

    String account(String user, String password, String... grants) {
        server().createAccount(user, password, grants);
        accounts.add(user);
        return user;
    }

    MariaDbPasswordRotator open(MariaDbRotatorSettings.Builder settings) {
        MariaDbPasswordRotator r = MariaDbPasswordRotator.create(settings.jdbcUrl(server().jdbcUrl()).build(), server().admin());
        rotators.add(r);
        return r;
    }

    /** Logs in with the credential's user name and password. */
    @Override
    protected boolean works(SecretValue credential) {
        return server().canLogIn(TestSecrets.field(credential, "username"), TestSecrets.field(credential, "password"));
    }

    @AfterEach
    void closeAndDrop() {
        rotators.forEach(MariaDbPasswordRotator::close);
        accounts.forEach(server()::dropAccount);
    }
}
