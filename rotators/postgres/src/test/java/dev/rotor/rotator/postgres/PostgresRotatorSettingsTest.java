package dev.rotor.rotator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PostgresRotatorSettingsTest {

    @Test
    void defaultsForASingleUserRole() {
        PostgresRotatorSettings s = PostgresRotatorSettings.builder().host("db").singleUser("app").build();

        assertThat(s.port()).isEqualTo(5432);
        assertThat(s.database()).isEqualTo("postgres");
        assertThat(s.passwordLength()).isEqualTo(40);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.queryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.poolSize()).isEqualTo(4);
        assertThat(s.loginRoles()).containsExactly("app");
        assertThat(s.target()).isEqualTo("db:5432/postgres");
    }

    @Test
    void alternatingNeedsTwoDistinctRolesAndAGroupOtherThanThem() {
        PostgresRotatorSettings s = PostgresRotatorSettings.builder().host("db").alternating("app_a", "app_b").groupRole("app").build();
        assertThat(s.loginRoles()).containsExactly("app_a", "app_b");

        assertThatThrownBy(() -> PostgresRotatorSettings.builder().host("db").alternating("app_a", "app_a").groupRole("app_a").build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("roles", "groupRole"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> PostgresRotatorSettings.builder()
                        .host(" ")
                        .port(0)
                        .database("")
                        .sslMode("sometimes")
                        .singleUser("x".repeat(64))
                        .roles(Arrays.asList("a", null))
                        .groupRole("g")
                        .passwordLength(31)
                        .connectTimeout(Duration.ofMillis(100))
                        .queryTimeout(Duration.ZERO)
                        .poolSize(65)
                        .build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("host", "port", "database", "sslMode", "role", "roles", "groupRole",
                                "passwordLength", "connectTimeout", "queryTimeout", "poolSize"));
    }

    @Test
    void aRoleNameLongerThanPostgresKeepsIsRefusedRatherThanTruncated() {
        assertThatThrownBy(() -> PostgresRotatorSettings.builder().host("db").singleUser("é".repeat(32)).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("role: is longer than PostgreSQL's 63-byte limit");
    }

    @Test
    void aMissingStrategyIsNamed() {
        assertThatThrownBy(() -> PostgresRotatorSettings.builder().host("db").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("strategy: is required (single-user or alternating)");
    }

    @Test
    void strategyNamesParseLeniently() {
        assertThat(Strategy.of("Single_User")).isEqualTo(Strategy.SINGLE_USER);
        assertThat(Strategy.of("alternating")).isEqualTo(Strategy.ALTERNATING);
        assertThatThrownBy(() -> Strategy.of("dual"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown strategy 'dual' (known: single-user, alternating)");
    }
}
