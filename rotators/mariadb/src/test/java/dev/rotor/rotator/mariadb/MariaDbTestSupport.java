package dev.rotor.rotator.mariadb;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.rotation.RotationContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared set-up of the tests that call the rotator's steps against the real MariaDB server. */
abstract class MariaDbTestSupport {

    @RegisterExtension
    static final MariaDbExtension MARIADB = new MariaDbExtension();

    private static final AtomicInteger USERS = new AtomicInteger();

    private final List<MariaDbPasswordRotator> rotators = new ArrayList<>();
    private final List<String> accounts = new ArrayList<>();

    static MariaDbServer server() {
        return MARIADB.server();
    }

    /** A user name no other test uses. */
    static String uniqueUser(String prefix) {
        return prefix + "_" + USERS.incrementAndGet();
    }

    /** Creates an account that this test owns and drops afterwards. */
    String account(String user, String password, String... grants) {
        server().createAccount(user, password, grants);
        accounts.add(user);
        return user;
    }

    /** Settings pointing at the test server, with short timeouts. */
    static MariaDbRotatorSettings.Builder settings(Strategy strategy) {
        return MariaDbRotatorSettings.builder()
                .jdbcUrl(server().jdbcUrl())
                .strategy(strategy)
                .connectTimeout(Duration.ofSeconds(2))
                .queryTimeout(Duration.ofSeconds(10));
    }

    MariaDbPasswordRotator rotator(MariaDbRotatorSettings.Builder settings) {
        return rotator(settings, server().admin());
    }

    MariaDbPasswordRotator rotator(MariaDbRotatorSettings.Builder settings, AdminCredentials admin) {
        MariaDbPasswordRotator r = MariaDbPasswordRotator.create(settings.build(), admin);
        rotators.add(r);
        return r;
    }

    static RotationContext context() {
        return new RotationContext("run-" + UUID.randomUUID(), "main", TestSecrets.PATH, false, "scheduled", Clock.systemUTC());
    }

    static RotationContext emergency() {
        return new RotationContext("run-" + UUID.randomUUID(), "main", TestSecrets.PATH, true, "leaked in a log", Clock.systemUTC());
    }

    static Secret current(String user, String password) {
        return TestSecrets.login(user, password);
    }

    static Secret pendingOf(SecretValue value) {
        return TestSecrets.pending(value);
    }

    static Secret pending(String user, String password) {
        return TestSecrets.secret(Map.of("username", user, "password", password), Stage.PENDING);
    }

    static String password(Secret secret) {
        return TestSecrets.field(secret, "password");
    }

    static String username(Secret secret) {
        return TestSecrets.field(secret, "username");
    }

    @AfterEach
    void closeRotatorsAndDropAccounts() {
        rotators.forEach(MariaDbPasswordRotator::close);
        accounts.forEach(server()::dropAccount);
    }
}
