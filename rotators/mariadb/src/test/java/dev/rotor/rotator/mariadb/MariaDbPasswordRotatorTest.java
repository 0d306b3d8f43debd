package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The parts of the rotator that need no server: CREATE, configuration, and the checks made before any I/O. */
class MariaDbPasswordRotatorTest {

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private static final RotationContext CONTEXT = new RotationContext("run-1", "main", TestSecrets.PATH, false, "scheduled", Clock.systemUTC());
    // Port 9 (discard) on loopback: nothing listens, and these tests must not get that far.
    private static final String URL = "jdbc:mariadb://127.0.0.1:9/";

    private static MariaDbPasswordRotator rotator(MariaDbRotatorSettings.Builder settings) {
        return MariaDbPasswordRotator.create(settings.jdbcUrl(URL).build(), new AdminCredentials("rotor", SecretValue.ofUtf8("admin-pw")));
    }

    @Test
    void singleUserCreateKeepsTheAccountAndTheOtherFields() {
        Canary old = leaks.canary();
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER))) {
            SecretValue next = r.create(CONTEXT, TestSecrets.secret(Map.of("username", "app", "password", old.text(), "host", "db.internal"), Stage.CURRENT));
            assertThat(TestSecrets.field(next, "username")).isEqualTo("app");
            assertThat(TestSecrets.field(next, "host")).isEqualTo("db.internal");
            assertThat(TestSecrets.field(next, "password")).hasSize(32).isNotEqualTo(old.text());
        }
    }

    @Test
    void singleUserWithoutCurrentTakesTheConfiguredAccount() {
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER).username("app").passwordLength(20))) {
            SecretValue next = r.create(CONTEXT, null);
            assertThat(TestSecrets.field(next, "username")).isEqualTo("app");
            assertThat(TestSecrets.field(next, "password")).hasSize(20);
        }
    }

    @Test
    void singleUserWithoutAnyAccountNameFails() {
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER))) {
            assertThatThrownBy(() -> r.create(CONTEXT, null))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.CREATE))
                    .hasMessageContaining("no account to rotate");
        }
    }

    @Test
    void aSecretForAnotherAccountThanConfiguredIsRefused() {
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER).username("app"))) {
            assertThatThrownBy(() -> r.create(CONTEXT, TestSecrets.login("other", "pw")))
                    .isInstanceOf(RotationException.class)
                    .hasMessage("CREATE: the secret's username 'other' is not the configured account 'app'");
            assertThatThrownBy(() -> r.preflight(CONTEXT, TestSecrets.login("other", "pw")))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE));
        }
    }

    @Test
    void alternatingUsersSwitchToTheIdleOne() {
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.ALTERNATING_USERS).users("blue", "green"))) {
            assertThat(TestSecrets.field(r.create(CONTEXT, null), "username")).isEqualTo("blue");
            assertThat(TestSecrets.field(r.create(CONTEXT, TestSecrets.login("blue", "x")), "username")).isEqualTo("green");
            assertThat(TestSecrets.field(r.create(CONTEXT, TestSecrets.login("green", "x")), "username")).isEqualTo("blue");
            assertThatThrownBy(() -> r.create(CONTEXT, TestSecrets.login("red", "x")))
                    .hasMessage("CREATE: the secret's username 'red' is neither of the alternating users ['blue', 'green']");
        }
    }

    @Test
    void alternatingApplyRefusesToChangeTheActiveAccountBeforeConnecting() {
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.ALTERNATING_USERS).users("blue", "green"))) {
            assertThatThrownBy(() -> r.apply(CONTEXT, TestSecrets.login("blue", "x"), TestSecrets.pending(SecretValue.ofFields(Map.of("username", "blue", "password", "y")))))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.APPLY))
                    .hasMessage("APPLY: the pending credential is for 'blue' but this rotation changes 'green'");
        }
    }

    @Test
    void aValueThatIsNotJsonFailsWithoutQuotingIt() {
        Canary canary = leaks.canary();
        try (MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER))) {
            assertThatThrownBy(() -> r.create(CONTEXT, TestSecrets.of(SecretValue.ofUtf8("{not json " + canary.text()), Stage.CURRENT)))
                    .isInstanceOf(RotationException.class)
                    .hasMessageContaining("is not a JSON object with 'username' and 'password'");
            assertThatThrownBy(() -> r.create(CONTEXT, TestSecrets.secret(Map.of("user", "app", "password", canary.text()), Stage.CURRENT)))
                    .hasMessageContaining("has no text field 'username'");
        }
    }

    @Test
    void configurationProblemsIncludeTheAdminUserName() {
        assertThatThrownBy(() -> MariaDbPasswordRotator.create(
                        new MariaDbRotatorSettings(URL, Strategy.SINGLE_USER, null, null, null, 4, null, null, null, null),
                        new AdminCredentials(" ", SecretValue.ofUtf8("x"))))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).hasSize(2))
                .hasMessageContaining("passwordLength")
                .hasMessageContaining("admin.username");
    }

    @Test
    void toStringShowsNoPassword() {
        Canary canary = leaks.canary();
        AdminCredentials admin = new AdminCredentials("rotor", canary.value());
        try (MariaDbPasswordRotator r = MariaDbPasswordRotator.create(
                MariaDbRotatorSettings.builder().jdbcUrl(URL).strategy(Strategy.SINGLE_USER).build(), admin)) {
            assertThat(r.toString()).isEqualTo("MariaDbPasswordRotator[jdbc:mariadb://127.0.0.1:9/, single-user, admin=rotor]");
            assertThat(admin.toString()).doesNotContain(canary.text());
            assertThat(new Login("app", canary.text()).toString()).doesNotContain(canary.text());
            assertThat(r.type()).isEqualTo("mariadb-password");
        }
    }

    @Test
    void stepsFailAfterClose() {
        MariaDbPasswordRotator r = rotator(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER));
        r.close();
        r.close();
        assertThatThrownBy(() -> r.preflight(CONTEXT, TestSecrets.login("app", "x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }
}
