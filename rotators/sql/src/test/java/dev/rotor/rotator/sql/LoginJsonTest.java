package dev.rotor.rotator.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

class LoginJsonTest {

    private static Secret secret(String json) {
        return new Secret("db/app", new VersionInfo("v1", Instant.EPOCH, Set.of(Stage.CURRENT), Map.of()), SecretValue.ofUtf8(json));
    }

    @Test
    void readsTheTextFields() {
        ObjectNode o = LoginJson.object(secret("{\"username\":\"app\",\"password\":\"pw\",\"port\":5432}"), Step.VERIFY, () -> "bad");

        assertThat(LoginJson.text(o, LoginJson.USERNAME)).isEqualTo("app");
        assertThat(LoginJson.text(o, LoginJson.PASSWORD)).isEqualTo("pw");
        assertThat(LoginJson.text(o, "port")).isNull();
        assertThat(LoginJson.text(o, "host")).isNull();
    }

    @Test
    void aValueThatIsNotAnObjectFailsWithTheCallersMessageAndNeverQuotesIt() {
        Canary canary = Canary.create();
        for (String value : new String[] {"[\"" + canary.text() + "\"]", "{\"password\":\"" + canary.text(), canary.text()}) {
            assertThatThrownBy(() -> LoginJson.object(secret(value), Step.APPLY, () -> "secret db/app is not a JSON object"))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.APPLY))
                    .hasMessage("APPLY: secret db/app is not a JSON object")
                    .satisfies(e -> LeakChecker.assertNoCanaryIn("message", String.valueOf(e.getMessage()), canary));
        }
    }

    @Test
    void theNextCredentialReplacesUserNameAndPasswordAndKeepsTheOtherFieldsInOrder() {
        ObjectNode current = LoginJson.object(secret("{\"host\":\"db\",\"username\":\"app_a\",\"password\":\"old\",\"port\":5432}"),
                Step.CREATE, () -> "bad");

        SecretValue next = LoginJson.next(current, "app_b", "new", Step.CREATE);

        assertThat(next.asUtf8()).isEqualTo("{\"host\":\"db\",\"username\":\"app_b\",\"password\":\"new\",\"port\":5432}");
    }

    @Test
    void withoutACurrentCredentialOnlyUserNameAndPassword() {
        assertThat(LoginJson.next(null, "app", "pw", Step.CREATE).asUtf8()).isEqualTo("{\"username\":\"app\",\"password\":\"pw\"}");
    }
}
