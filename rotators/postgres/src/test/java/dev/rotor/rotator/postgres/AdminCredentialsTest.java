package dev.rotor.rotator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminCredentialsTest {

    @Test
    void fromEnvironmentReadsAtEachLogin() {
        Canary password = Canary.create();
        Map<String, String> env = new java.util.HashMap<>(Map.of("U", "rotor_admin", "P", password.text()));
        AdminCredentials creds = AdminCredentials.fromEnvironment("U", "P", env::get);

        assertThat(creds.login().username()).isEqualTo("rotor_admin");
        assertThat(creds.login().password().asUtf8()).isEqualTo(password.text());
        env.put("U", "other");
        assertThat(creds.login().username()).isEqualTo("other");
        LeakChecker.assertNoCanaryIn("toString", creds.login().toString(), password);
    }

    @Test
    void fromEnvironmentNamesTheMissingVariables() {
        AdminCredentials creds = AdminCredentials.fromEnvironment("U", "P", name -> null);
        assertThatThrownBy(creds::login)
                .isInstanceOf(RotorException.class)
                .hasMessage("the admin login for PostgreSQL is not set: environment variables U and P must both be set");
    }

    @Test
    void fromSecretReadsTheCurrentVersionEachTime() {
        InMemorySecretStore store = new InMemorySecretStore("mem");
        Canary first = Canary.create();
        Canary second = Canary.create();
        store.put("db/admin", SecretValue.ofFields(Map.of("username", "rotor_admin", "password", first.text())), PutOptions.current());
        AdminCredentials creds = AdminCredentials.fromSecret(store, "db/admin");
        assertThat(creds.login().password().asUtf8()).isEqualTo(first.text());

        store.put("db/admin", SecretValue.ofFields(Map.of("username", "rotor_admin", "password", second.text())), PutOptions.current());
        assertThat(creds.login().password().asUtf8()).isEqualTo(second.text());
    }

    @Test
    void fromSecretNamesMissingFieldsWithoutQuotingTheValue() {
        InMemorySecretStore store = new InMemorySecretStore("mem");
        Canary canary = Canary.create();
        store.put("db/admin", SecretValue.ofFields(Map.of("user", "x", "pass", canary.text())), PutOptions.current());

        assertThatThrownBy(() -> AdminCredentials.fromSecret(store, "db/admin").login())
                .isInstanceOf(RotorException.class)
                .hasMessageContaining("the admin secret db/admin (version ")
                .hasMessageContaining("needs string fields 'username' and 'password'")
                .satisfies(e -> LeakChecker.assertNoCanaryIn("message", String.valueOf(e.getMessage()), canary));
    }
}
