package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbRotatorProviderTest {

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final MariaDbRotatorProvider provider = new MariaDbRotatorProvider();

    private static Map<String, Object> valid() {
        Map<String, Object> m = new HashMap<>();
        m.put("jdbcUrl", "jdbc:mariadb://db.internal:3306/");
        m.put("strategy", "alternating-users");
        m.put("users", List.of("app_blue", "app_green"));
        m.put("connectTimeout", "2s");
        m.put("queryTimeout", "PT20S");
        m.put("admin", Map.of("usernameEnv", "DB_ADMIN_USER", "passwordEnv", "DB_ADMIN_PASSWORD"));
        return m;
    }

    @Test
    void bindsPolicySettings() {
        assertThat(provider.type()).isEqualTo("mariadb-password");
        assertThat(provider.validate("policies.db.settings", valid())).isEmpty();
        MariaDbRotatorSettings s = provider.settings("policies.db.settings", valid());
        assertThat(s.strategy()).isEqualTo(Strategy.ALTERNATING_USERS);
        assertThat(s.effectiveUsers()).containsExactly("app_blue", "app_green");
        assertThat(s.effectiveConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.effectiveQueryTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        Map<String, Object> m = valid();
        m.put("strategy", "sideways");
        m.put("users", "app_blue");
        m.put("connectTimeout", "5 parsecs");
        m.put("maxPoolSize", "many");
        m.put("colour", "blue");
        m.put("admin", Map.of("usernameEnv", "U", "password", "hunter2"));

        List<ConfigProblem> problems = provider.validate("p", m);

        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "p.colour", "p.strategy", "p.users", "p.connectTimeout", "p.maxPoolSize", "p.admin.password", "p.admin.passwordEnv");
        assertThat(problems.toString()).doesNotContain("hunter2")
                .contains("unknown strategy 'sideways'")
                .contains("a password is never written in the settings");
    }

    @Test
    void requiresAnAdminSource() {
        Map<String, Object> m = valid();
        m.remove("admin");
        assertThat(provider.validate("p", m)).extracting(ConfigProblem::field).containsExactly("p.admin");
        m.put("admin", Map.of("secret", "secret://vault/db/admin", "passwordEnv", "X"));
        assertThat(provider.validate("p", m)).extracting(ConfigProblem::toString)
                .containsExactly("p.admin: give either admin.secret or environment variables, not both");
        m.put("admin", Map.of("secret", "not a ref"));
        assertThat(provider.validate("p", m)).extracting(ConfigProblem::field).containsExactly("p.admin.secret");
    }

    @Test
    void opensWithTheAdminFromTheEnvironment() {
        Canary password = leaks.canary();
        Map<String, String> env = Map.of("DB_ADMIN_USER", "rotor", "DB_ADMIN_PASSWORD", password.text());
        try (MariaDbPasswordRotator r = provider.open("p", valid(), env::get, name -> null)) {
            assertThat(r.toString()).contains("admin=rotor").doesNotContain(password.text());
            assertThat(r.strategy()).isEqualTo(Strategy.ALTERNATING_USERS);
        }
    }

    @Test
    void aMissingEnvironmentVariableIsAConfigurationProblem() {
        assertThatThrownBy(() -> provider.open("p", valid(), name -> null, name -> null))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("p.admin.usernameEnv", "p.admin.passwordEnv"));
    }

    @Test
    void opensWithTheAdminFromASecret() {
        Canary password = leaks.canary();
        Map<String, Object> m = valid();
        m.put("admin", Map.of("secret", "secret://vault/db/rotor-admin"));
        try (SecretStore vault = new InMemorySecretStore("vault")) {
            vault.put("db/rotor-admin", SecretValue.ofFields(Map.of("username", "rotor", "password", password.text())), PutOptions.current());
            try (MariaDbPasswordRotator r = provider.open("p", m, name -> null, name -> name.equals("vault") ? vault : null)) {
                assertThat(r.toString()).contains("admin=rotor");
            }
            assertThatThrownBy(() -> provider.open("p", m, name -> null, name -> null))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("p.admin.secret: no store named 'vault'");
            vault.put("db/rotor-admin", SecretValue.ofUtf8(password.text()), PutOptions.current());
            assertThatThrownBy(() -> provider.open("p", m, name -> null, name -> "vault".equals(name) ? vault : null))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("is not a JSON object with 'username' and 'password'")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password.text()));
        }
    }
}
