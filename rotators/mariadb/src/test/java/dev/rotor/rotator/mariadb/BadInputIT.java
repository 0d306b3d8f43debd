package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.peer.PeerProcess;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What goes wrong before a rotation can start: the server cannot be reached, the admin login is
 * wrong, the account is missing or unusable, the admin lacks a privilege. Each fails at PREPARE
 * with a message that says what is wrong, and the account's password is untouched.
 */
class BadInputIT extends MariaDbTestSupport {

    private static final String PASSWORD = "Bad-input-0";

    private void assertUntouched(String user, String before) {
        assertThat(server().authenticationString(user)).isEqualTo(before);
        assertThat(server().canLogIn(user, PASSWORD)).isTrue();
    }

    @Test
    void anUnreachableServerFailsAtPrepareWithinTheConnectTimeout() {
        int closedPort = PeerProcess.freeLoopbackPort();
        MariaDbPasswordRotator rotator = rotator(MariaDbRotatorSettings.builder()
                .jdbcUrl("jdbc:mariadb://127.0.0.1:" + closedPort + "/")
                .strategy(Strategy.SINGLE_USER)
                .connectTimeout(Duration.ofSeconds(1)));
        Instant start = Instant.now();

        assertThatThrownBy(() -> rotator.preflight(context(), current("app", PASSWORD)))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageStartingWith("PREPARE: cannot get an admin connection to jdbc:mariadb://127.0.0.1:" + closedPort
                        + "/ as 'rotor_admin': the server at jdbc:mariadb://127.0.0.1:" + closedPort + "/ cannot be reached");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aWrongAdminPasswordFailsAtPrepare() {
        String user = account(uniqueUser("bad"), PASSWORD);
        String before = server().authenticationString(user);
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER),
                new AdminCredentials(MariaDbServer.ADMIN, SecretValue.ofUtf8("Not-the-admin-password")));

        assertThatThrownBy(() -> rotator.preflight(context(), current(user, PASSWORD)))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining("the server refused the login of admin 'rotor_admin' (wrong user name or password, or a locked account) "
                        + "(SQLState 28000, error 1045)");
        assertUntouched(user, before);
    }

    @Test
    void aMissingAccountFailsAtPrepare() {
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        assertThatThrownBy(() -> rotator.preflight(context(), current("nobody_here", PASSWORD)))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessage("PREPARE: account 'nobody_here'@'%' does not exist on " + server().jdbcUrl());
    }

    @Test
    void anAccountOnAnotherHostIsNotTheConfiguredOne() {
        String user = account(uniqueUser("bad"), PASSWORD);
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER).accountHost("10.1.2.%"));
        assertThatThrownBy(() -> rotator.preflight(context(), current(user, PASSWORD)))
                .isInstanceOf(RotationException.class)
                .hasMessageContaining("account '" + user + "'@'10.1.2.%' does not exist");
    }

    @Test
    void anAdminWithoutCreateUserFailsAtPrepare() {
        String user = account(uniqueUser("bad"), PASSWORD);
        String before = server().authenticationString(user);
        String weak = account(uniqueUser("weak_admin"), "Weak-admin-0", "SELECT ON mysql.user");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER), new AdminCredentials(weak, SecretValue.ofUtf8("Weak-admin-0")));

        assertThatThrownBy(() -> rotator.preflight(context(), current(user, PASSWORD)))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessage("PREPARE: admin '" + weak + "' may not change account '" + user + "'@'%' (SQLState 42000, error 1227); "
                        + "it needs CREATE USER (or UPDATE on the mysql schema)");
        assertUntouched(user, before);
    }

    @Test
    void anAdminThatCannotReadTheAccountsFailsAtPrepare() {
        String user = account(uniqueUser("bad"), PASSWORD);
        String before = server().authenticationString(user);
        String blind = account(uniqueUser("blind_admin"), "Blind-admin-0", "CREATE USER ON *.*");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER), new AdminCredentials(blind, SecretValue.ofUtf8("Blind-admin-0")));

        assertThatThrownBy(() -> rotator.preflight(context(), current(user, PASSWORD)))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining("admin '" + blind + "' cannot read mysql.user to check account '" + user + "'@'%' (SQLState 42000, error 1142); "
                        + "grant it SELECT ON mysql.user");
        assertUntouched(user, before);
    }

    @Test
    void theLeastAdminIsEnoughEvenThroughARole() {
        String user = account(uniqueUser("bad"), PASSWORD);
        String role = uniqueUser("rotor_role");
        server().exec("CREATE ROLE " + role, "GRANT CREATE USER ON *.* TO " + role, "GRANT SELECT ON mysql.user TO " + role);
        try {
            String least = account(uniqueUser("least_admin"), "Least-admin-0", role);
            server().exec("SET DEFAULT ROLE " + role + " FOR '" + least + "'@'%'");
            MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER), new AdminCredentials(least, SecretValue.ofUtf8("Least-admin-0")));
            Secret current = current(user, PASSWORD);

            rotator.preflight(context(), current);
            Secret pending = pendingOf(rotator.create(context(), current));
            rotator.apply(context(), current, pending);
            rotator.verify(context(), pending);
            assertThat(server().canLogIn(user, password(pending))).isTrue();
        } finally {
            server().exec("DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void anAccountThatDoesNotUseAPasswordIsRefused() {
        String user = uniqueUser("socket");
        server().exec("CREATE USER '" + user + "'@'%' IDENTIFIED VIA unix_socket");
        try {
            MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
            assertThatThrownBy(() -> rotator.preflight(context(), current(user, PASSWORD)))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                    .hasMessage("PREPARE: account '" + user + "'@'%' authenticates with plugin 'unix_socket'; "
                            + "on MariaDB this rotator sets passwords of accounts using [mysql_native_password]");
        } finally {
            server().dropAccount(user);
        }
    }
}
