package dev.rotor.rotator.postgres;

import static dev.rotor.rotator.postgres.PostgresTestSettings.adminCredentials;
import static dev.rotor.rotator.postgres.PostgresTestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input fails PREPARE, before anything changes on the server: unreachable server, wrong or
 * unreadable admin credentials, missing roles, an admin without the privilege to alter a role,
 * a secret naming a role the rotator does not manage. Each case checks that the role's stored
 * verifier is unchanged and that no credential leaked.
 */
class PostgresBadInputIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger IDS = new AtomicInteger();

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final List<PostgresPasswordRotator> rotators = new ArrayList<>();

    @AfterEach
    void close() {
        rotators.forEach(PostgresPasswordRotator::close);
    }

    private PostgresPasswordRotator rotator(PostgresRotatorSettings settings, AdminCredentials admin) {
        PostgresPasswordRotator r = new PostgresPasswordRotator(settings, admin, () -> leaks.canary().value());
        rotators.add(r);
        return r;
    }

    private static String newRole(String prefix) {
        return prefix + "_" + IDS.incrementAndGet();
    }

    private static RotationContext context() {
        return new RotationContext("run-" + IDS.incrementAndGet(), "mem", "db/app", false, "test", Clock.systemUTC());
    }

    private Secret loginRole(String role) {
        Canary password = leaks.canary();
        PG.admin("CREATE ROLE " + role + " LOGIN");
        PG.setPassword(role, password.text());
        return new Secret("db/app", new VersionInfo("v1", Instant.now(), Set.of(Stage.CURRENT), Map.of()),
                SecretValue.ofFields(Map.of("username", role, "password", password.text())));
    }

    /** An admin role with the given attributes and a canary password. */
    private AdminCredentials adminRole(String role, String attributes) {
        Canary password = leaks.canary();
        PG.admin("CREATE ROLE " + role + " LOGIN " + attributes);
        PG.setPassword(role, password.text());
        return AdminCredentials.of(role, password.value());
    }

    private static void assertPrepareFailure(Throwable e) {
        assertThat(e).isInstanceOf(RotationException.class);
        assertThat(((RotationException) e).step()).isEqualTo(Step.PREPARE);
    }

    @Test
    void unreachableServerFailsPrepareWithinTheConnectTimeout() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String role = newRole("single");
        PostgresPasswordRotator r = rotator(PostgresRotatorSettings.builder().host("127.0.0.1").port(closedPort)
                .singleUser(role).connectTimeout(Duration.ofSeconds(1)).build(), adminCredentials());

        long start = System.nanoTime();
        assertThatThrownBy(() -> r.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("cannot connect to PostgreSQL at 127.0.0.1:" + closedPort + "/postgres as admin")
                .hasMessageContaining("SQLSTATE 08");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void wrongAdminPasswordFailsPrepareAndChangesNothing() {
        String role = newRole("single");
        Secret current = loginRole(role);
        String verifier = PG.verifier(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).connectTimeout(Duration.ofSeconds(1)).build(),
                AdminCredentials.of(EmbeddedPostgresPeer.ADMIN, leaks.canary().value()));

        assertThatThrownBy(() -> r.preflight(context(), current))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("admin login to 127.0.0.1:" + PG.port() + "/postgres was refused")
                .hasMessageContaining("28P01");
        assertThat(PG.verifier(role)).isEqualTo(verifier);
    }

    @Test
    void unreadableAdminLoginFailsPrepareNamingWhereItWasLookedFor() {
        String role = newRole("single");
        loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).connectTimeout(Duration.ofSeconds(1)).build(),
                AdminCredentials.fromEnvironment("PG_ADMIN_USER", "PG_ADMIN_PASSWORD", name -> null));

        assertThatThrownBy(() -> r.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("cannot read the admin login")
                .hasMessageContaining("PG_ADMIN_USER and PG_ADMIN_PASSWORD must both be set");
    }

    @Test
    void missingRoleFailsPrepare() {
        String role = newRole("missing");
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), adminCredentials());

        assertThatThrownBy(() -> r.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("role '" + role + "' does not exist");
    }

    @Test
    void adminWithoutCreateRoleFailsPrepareAndChangesNothing() {
        String role = newRole("single");
        Secret current = loginRole(role);
        String verifier = PG.verifier(role);
        String weak = newRole("weak_admin");
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), adminRole(weak, "NOCREATEROLE"));

        assertThatThrownBy(() -> r.preflight(context(), current))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("admin role '" + weak + "' may not alter role '" + role + "'")
                .hasMessageContaining("needs SUPERUSER, or CREATEROLE with the ADMIN OPTION");
        assertThat(PG.verifier(role)).isEqualTo(verifier);
    }

    @Test
    void createRoleWithoutTheAdminOptionFailsPrepareAndWithItTheRotationWorks() {
        String role = newRole("single");
        Secret current = loginRole(role);
        String verifier = PG.verifier(role);
        String admin = newRole("role_admin");
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), adminRole(admin, "CREATEROLE"));

        assertThatThrownBy(() -> r.preflight(context(), current))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("needs the ADMIN OPTION on the role (GRANT " + role + " TO " + admin + " WITH ADMIN OPTION)");
        assertThat(PG.verifier(role)).isEqualTo(verifier);

        PG.admin("GRANT " + role + " TO " + admin + " WITH ADMIN OPTION");
        RotationContext ctx = context();
        r.preflight(ctx, current);
        Secret pending = new Secret("db/app", new VersionInfo("v2", Instant.now(), Set.of(Stage.PENDING), Map.of()),
                r.create(ctx, current));
        r.apply(ctx, current, pending);
        r.verify(ctx, pending);
        assertThat(PG.verifier(role)).isNotEqualTo(verifier);
    }

    @Test
    void aNonSuperuserAdminMayNotRotateASuperuser() {
        String role = newRole("super");
        loginRole(role);
        PG.admin("ALTER ROLE " + role + " SUPERUSER");
        String admin = newRole("role_admin");
        AdminCredentials creds = adminRole(admin, "CREATEROLE");
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), creds);

        assertThatThrownBy(() -> r.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("role '" + role + "' is a superuser");
    }

    @Test
    void everyProblemOfAnAlternatingPairIsReportedAtOnce() {
        String a = newRole("app_a");
        String b = newRole("app_b");
        String group = newRole("grp");
        loginRole(a);
        PostgresPasswordRotator r = rotator(settings(PG).alternating(a, b).groupRole(group).build(), adminCredentials());

        assertThatThrownBy(() -> r.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("group role '" + group + "' does not exist")
                .hasMessageContaining("role '" + b + "' does not exist");

        PG.admin("CREATE ROLE " + group + " NOLOGIN", "CREATE ROLE " + b + " NOLOGIN");
        assertThatThrownBy(() -> r.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("role '" + a + "' does not have the privileges of group role '" + group + "'")
                .hasMessageContaining("role '" + b + "' does not have the privileges of group role '" + group + "'");

        PG.admin("GRANT " + group + " TO " + a, "GRANT " + group + " TO " + b);
        r.preflight(context(), null);
    }

    @Test
    void aRoleThatCannotLogInOrWhosePasswordValidityPassedFailsPrepare() {
        String nologin = newRole("nologin");
        loginRole(nologin);
        PG.admin("ALTER ROLE " + nologin + " NOLOGIN");
        String expired = newRole("expired");
        loginRole(expired);
        PG.admin("ALTER ROLE " + expired + " VALID UNTIL '2001-01-01'");
        PostgresPasswordRotator noLogin = rotator(settings(PG).singleUser(nologin).build(), adminCredentials());
        PostgresPasswordRotator pastValidity = rotator(settings(PG).singleUser(expired).build(), adminCredentials());

        assertThatThrownBy(() -> noLogin.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("role '" + nologin + "' has NOLOGIN");
        assertThatThrownBy(() -> pastValidity.preflight(context(), null))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("the password validity of role '" + expired + "' (VALID UNTIL) has passed");
    }

    @Test
    void aSecretNamingAnUnmanagedRoleFailsPrepare() {
        String role = newRole("single");
        loginRole(role);
        String other = newRole("other");
        Secret foreign = loginRole(other);
        String verifier = PG.verifier(other);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), adminCredentials());

        assertThatThrownBy(() -> r.preflight(context(), foreign))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("the current secret names role '" + other + "', which is not among the configured roles");
        assertThat(PG.verifier(other)).isEqualTo(verifier);
    }

    @Test
    void aSecretThatIsNotACredentialFailsPrepareWithoutQuotingIt() {
        String role = newRole("single");
        loginRole(role);
        Canary junk = leaks.canary();
        Secret current = new Secret("db/app", new VersionInfo("v7", Instant.now(), Set.of(Stage.CURRENT), Map.of()),
                SecretValue.ofUtf8("{not json " + junk.text()));
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build(), adminCredentials());

        assertThatThrownBy(() -> r.preflight(context(), current))
                .satisfies(PostgresBadInputIT::assertPrepareFailure)
                .hasMessageContaining("secret db/app (version v7) is not a JSON object");
    }
}
