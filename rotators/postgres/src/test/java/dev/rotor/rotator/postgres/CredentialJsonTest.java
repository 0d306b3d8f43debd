package dev.rotor.rotator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CredentialJsonTest {

    private static Secret secret(SecretValue value) {
        return new Secret("db/app", new VersionInfo("v3", Instant.EPOCH, Set.of(Stage.CURRENT), Map.of()), value);
    }

    @Test
    void theNextCredentialKeepsTheOtherFields() {
        Secret current = secret(SecretValue.ofUtf8("{\"username\":\"app_a\",\"password\":\"old\",\"host\":\"db\",\"port\":5432}"));

        SecretValue next = CredentialJson.next(current, "app_b", SecretValue.ofUtf8("new"), Step.CREATE);

        assertThat(next.field("username").asUtf8()).isEqualTo("app_b");
        assertThat(next.field("password").asUtf8()).isEqualTo("new");
        assertThat(next.field("host").asUtf8()).isEqualTo("db");
        assertThat(next.field("port").asUtf8()).isEqualTo("5432");
    }

    @Test
    void withoutACurrentSecretOnlyUsernameAndPassword() {
        SecretValue next = CredentialJson.next(null, "app", SecretValue.ofUtf8("pw"), Step.CREATE);
        assertThat(next.asUtf8()).isEqualTo("{\"username\":\"app\",\"password\":\"pw\"}");
    }

    @Test
    void missingFieldsAreNamedAtTheGivenStep() {
        assertThatThrownBy(() -> CredentialJson.login(secret(SecretValue.ofUtf8("{\"username\":\"app\"}")), Step.VERIFY))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                .hasMessage("VERIFY: secret db/app (version v3) has no string field 'password'");
        assertThatThrownBy(() -> CredentialJson.username(secret(SecretValue.ofUtf8("{\"username\":7}")), Step.RETIRE))
                .hasMessage("RETIRE: secret db/app (version v3) has no string field 'username'");
    }

    @Test
    void aValueThatIsNotJsonIsNeverQuoted() {
        Canary canary = Canary.create();
        assertThatThrownBy(() -> CredentialJson.login(secret(SecretValue.ofUtf8("[\"" + canary.text())), Step.PREPARE))
                .isInstanceOf(RotationException.class)
                .satisfies(e -> LeakChecker.assertNoCanaryIn("message", String.valueOf(e.getMessage()), canary))
                .hasMessageContaining("is not a JSON object");
    }
}
