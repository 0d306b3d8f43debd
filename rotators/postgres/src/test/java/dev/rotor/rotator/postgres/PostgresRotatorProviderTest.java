package dev.rotor.rotator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.memory.InMemorySecretStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresRotatorProviderTest {

    private final PostgresRotatorProvider provider = new PostgresRotatorProvider();

    @Test
    void validSettingsBindToTypedOnes() {
        Map<String, Object> settings = Map.of(
                "host", "db.internal", "port", 6432, "database", "app", "sslMode", "verify-full",
                "strategy", "alternating", "roles", List.of("app_a", "app_b"), "groupRole", "app",
                "connectTimeout", "3s", "poolSize", "8",
                "admin", Map.of("usernameEnv", "PG_ADMIN_USER", "passwordEnv", "PG_ADMIN_PASSWORD"));

        assertThat(provider.validate("policies.db.settings", settings)).isEmpty();
        PostgresRotatorSettings s = provider.settings("policies.db.settings", settings);

        assertThat(s.target()).isEqualTo("db.internal:6432/app");
        assertThat(s.strategy()).isEqualTo(Strategy.ALTERNATING);
        assertThat(s.loginRoles()).containsExactly("app_a", "app_b");
        assertThat(s.groupRole()).isEqualTo("app");
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.poolSize()).isEqualTo(8);
        assertThat(s.sslMode()).isEqualTo("verify-full");
        assertThat(provider.type()).isEqualTo("postgres-password");
    }

    @Test
    void everyProblemIsNamedWithItsFullPath() {
        Map<String, Object> settings = Map.of(
                "host", 5, "port", "many", "strategy", "dual", "connectTimeout", "5", "colour", "blue",
                "admin", Map.of("secret", "secret://vault/db/admin", "usernameEnv", "U", "extra", 1));

        List<ConfigProblem> problems = provider.validate("p", settings);

        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "p.colour", "p.host", "p.port", "p.strategy", "p.connectTimeout", "p.admin.extra", "p.admin", "p.host");
        assertThat(problems).extracting(ConfigProblem::toString).contains(
                "p.strategy: unknown strategy 'dual' (known: single-user, alternating)",
                "p.admin: give either secret, or usernameEnv and passwordEnv, not both");
    }

    @Test
    void anAdminBlockIsRequired() {
        assertThat(provider.validate("p", Map.of("host", "db", "strategy", "single-user", "role", "app")))
                .extracting(ConfigProblem::toString)
                .containsExactly("p.admin: is required: either secret, or usernameEnv and passwordEnv");
    }

    @Test
    void openWithAnAdminSecretInAnUnknownStoreFails() {
        Map<String, Object> settings = Map.of("host", "db", "strategy", "single-user", "role", "app",
                "admin", Map.of("secret", "secret://vault/db/admin"));
        assertThat(provider.validate("p", settings)).isEmpty();

        assertThatThrownBy(() -> provider.open("p", settings, name -> null, name -> null))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("p.admin.secret: names store 'vault', which is not configured");
    }

    @Test
    void openMakesARotatorWithoutConnecting() {
        Map<String, Object> settings = Map.of("host", "db.invalid", "strategy", "single-user", "role", "app",
                "admin", Map.of("secret", "secret://mem/db/admin"));
        InMemorySecretStore store = new InMemorySecretStore("mem");

        try (PostgresPasswordRotator r = provider.open("p", settings, name -> null, name -> name.equals("mem") ? store : null)) {
            assertThat(r.type()).isEqualTo("postgres-password");
            assertThat(r.toString()).isEqualTo("PostgresPasswordRotator[single-user on db.invalid:5432/postgres, roles=[app]]");
        }
    }
}
