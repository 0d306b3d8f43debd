package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MariaDbRotatorSettingsTest {

    @Test
    void defaults() {
        MariaDbRotatorSettings s = MariaDbRotatorSettings.builder().jdbcUrl("jdbc:mariadb://db:3306/").strategy(Strategy.SINGLE_USER).build();
        assertThat(s.effectiveAccountHost()).isEqualTo("%");
        assertThat(s.effectivePasswordLength()).isEqualTo(32);
        assertThat(s.effectiveConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.effectiveQueryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.effectiveMaxPoolSize()).isEqualTo(2);
        assertThat(s.effectiveUsers()).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnceWithItsField() {
        assertThatThrownBy(() -> MariaDbRotatorSettings.builder()
                        .jdbcUrl("jdbc:postgresql://db/")
                        .strategy(Strategy.ALTERNATING_USERS)
                        .users("app", "app")
                        .username("x")
                        .accountHost("")
                        .passwordLength(8)
                        .verifyQuery(" ")
                        .connectTimeout(Duration.ZERO)
                        .queryTimeout(Duration.ofMillis(1500))
                        .maxPoolSize(0)
                        .build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactlyInAnyOrder("jdbcUrl", "accountHost", "users", "username", "passwordLength", "verifyQuery",
                                "connectTimeout", "queryTimeout", "maxPoolSize"));
    }

    @Test
    void requiresUrlAndStrategy() {
        assertThat(new MariaDbRotatorSettings(null, null, null, null, null, null, null, null, null, null).validate("rotations.db."))
                .extracting(ConfigProblem::field)
                .containsExactly("rotations.db.jdbcUrl", "rotations.db.strategy");
    }

    @Test
    void alternatingUsersNeedsTwoNames() {
        assertThat(settings(Strategy.ALTERNATING_USERS, null).validate("")).extracting(ConfigProblem::toString)
                .containsExactly("users: alternating-users needs exactly two user names");
        assertThat(settings(Strategy.ALTERNATING_USERS, List.of("a", "b", "c")).validate("")).hasSize(1);
        assertThat(settings(Strategy.ALTERNATING_USERS, Arrays.asList("a", null)).validate(""))
                .extracting(ConfigProblem::toString).containsExactly("users[1]: must not be empty");
        assertThat(settings(Strategy.ALTERNATING_USERS, List.of("a", "b")).validate("")).isEmpty();
        assertThat(settings(Strategy.SINGLE_USER, List.of("a", "b")).validate(""))
                .extracting(ConfigProblem::toString).containsExactly("users: is for alternating-users only");
    }

    @Test
    void userNamesHaveTheServersLimit() {
        assertThat(settings(Strategy.ALTERNATING_USERS, List.of("a".repeat(81), "b")).validate(""))
                .extracting(ConfigProblem::field).containsExactly("users[0]");
    }

    @Test
    void refusesCredentialsInTheUrlWithoutEchoingThem() {
        for (String url : List.of("jdbc:mariadb://db/?user=root&password=hunter2", "jdbc:mariadb://db/app?PASSWORD=hunter2",
                "jdbc:mariadb://root:hunter2@db:3306/")) {
            List<ConfigProblem> problems = MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER).jdbcUrl(url).problems();
            assertThat(problems).extracting(ConfigProblem::toString)
                    .containsExactly("jdbcUrl: must not hold credentials; the admin credentials are given separately");
            assertThat(problems.toString()).doesNotContain("hunter2");
        }
        assertThat(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER)
                .jdbcUrl("jdbc:mariadb://db:3306/app?sslMode=verify-full&connectTimeout=1000").problems()).isEmpty();
    }

    @Test
    void refusesServerSidePreparedStatements() {
        assertThat(MariaDbRotatorSettings.builder().strategy(Strategy.SINGLE_USER)
                .jdbcUrl("jdbc:mariadb://db:3306/?useServerPrepStmts=true").problems())
                .extracting(ConfigProblem::toString)
                .containsExactly("jdbcUrl: must not set useServerPrepStmts: the rotator passes credentials as client-side parameters");
    }

    @Test
    void bindsFromPolicySettings() {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        MariaDbRotatorSettings s = mapper.convertValue(Map.of(
                "jdbcUrl", "jdbc:mariadb://db:3306/",
                "strategy", "alternating-users",
                "users", List.of("blue", "green"),
                "connectTimeout", "PT2S"), MariaDbRotatorSettings.class);
        assertThat(s.strategy()).isEqualTo(Strategy.ALTERNATING_USERS);
        assertThat(s.effectiveUsers()).containsExactly("blue", "green");
        assertThat(s.effectiveConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.validate("")).isEmpty();
        assertThatThrownBy(() -> mapper.convertValue(Map.of("strategy", "sideways"), MariaDbRotatorSettings.class))
                .hasMessageContaining("unknown strategy 'sideways' (known: single-user, alternating-users, dual-password)");
    }

    private static MariaDbRotatorSettings settings(Strategy strategy, List<String> users) {
        return new MariaDbRotatorSettings("jdbc:mariadb://db/", strategy, null, null, users, null, null, null, null, null);
    }
}
