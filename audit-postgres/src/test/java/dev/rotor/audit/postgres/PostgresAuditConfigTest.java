package dev.rotor.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresAuditConfigTest {

    @Test
    void bindsEveryKeyAndAppliesDefaults() {
        List<ConfigProblem> problems = new ArrayList<>();
        PostgresAuditConfig config = PostgresAuditConfig.bind(Map.of("url", "jdbc:postgresql://db:5432/rotor",
                "usernameEnv", "PGUSER", "passwordEnv", "PGPASSWORD"), "audit.postgres", problems);

        assertThat(problems).isEmpty();
        assertThat(config).isEqualTo(new PostgresAuditConfig("jdbc:postgresql://db:5432/rotor", "PGUSER", "PGPASSWORD",
                "rotor_audit", Duration.ofDays(90), Duration.ofHours(1), 2, null));

        PostgresAuditConfig full = PostgresAuditConfig.bind(Map.of("url", "jdbc:postgresql://db/rotor", "usernameEnv", "U",
                "table", "audit.events", "retention", "30d", "pruneEvery", "10m", "poolSize", 4, "keyEnv", "K"),
                "audit.postgres", problems);
        assertThat(problems).isEmpty();
        assertThat(full).isEqualTo(new PostgresAuditConfig("jdbc:postgresql://db/rotor", "U", null, "audit.events",
                Duration.ofDays(30), Duration.ofMinutes(10), 4, "K"));
    }

    @Test
    void reportsEveryProblemAtOnceNamingItsField() {
        List<ConfigProblem> problems = new ArrayList<>();
        PostgresAuditConfig config = PostgresAuditConfig.bind(Map.of("url", "jdbc:postgresql://db/rotor?password=hunter2",
                "usernameEnv", "not a name", "retention", "forever", "poolSize", 99, "colour", "blue"), "audit.postgres", problems);

        assertThat(config).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder("audit.postgres.colour",
                "audit.postgres.url", "audit.postgres.usernameEnv", "audit.postgres.retention", "audit.postgres.poolSize");
        // The password in the URL is refused and never repeated.
        assertThat(problems).extracting(ConfigProblem::message).noneMatch(m -> m.contains("hunter2"));
    }

    @Test
    void aBadTableNameIsReportedUnderItsField() {
        List<ConfigProblem> problems = new ArrayList<>();
        assertThat(PostgresAuditConfig.bind(Map.of("url", "jdbc:postgresql://db/rotor", "usernameEnv", "U",
                "table", "Audit; DROP TABLE x"), "audit.postgres", problems)).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactly("audit.postgres.table");
        assertThat(PostgresAuditConfig.bind("jdbc:postgresql://db", "audit.postgres", problems)).isNull();
    }

    @Test
    void optionsReportEveryProblemAndNeverPrintTheKey() {
        assertThatThrownBy(() -> new PostgresAuditOptions("x-y", Duration.ZERO, Duration.ZERO, 0, new byte[4], null))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("table", "retention", "pruneEvery", "maxBatch", "key", "clock"));
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(PostgresAuditOptions.defaults().withKey(key).toString()).contains("key=<masked>").doesNotContain("0123456789");
    }
}
