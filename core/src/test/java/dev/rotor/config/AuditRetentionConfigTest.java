package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.audit.AuditRetention;
import dev.rotor.audit.AuditRetention.Disposal;
import dev.rotor.audit.AuditRollover;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollover, retention and postgres keys of the {@code audit:} section. */
class AuditRetentionConfigTest {

    private static final Path BASE = Path.of("/etc/rotor");

    private static AuditConfig audit(String section) {
        AuditConfig audit = RotorConfig.parse("stores: {main: {type: memory}}\naudit:\n" + section.indent(2), BASE).audit();
        assertThat(audit).isNotNull();
        return audit;
    }

    private static java.util.List<ConfigProblem> problems(String section) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> RotorConfig.parse("stores: {main: {type: memory}}\naudit:\n" + section.indent(2), BASE));
        assertThat(e).as("parsing must fail").isNotNull();
        return e.problems();
    }

    @Test
    void withoutTheKeysTheFileNeverRollsOverAndRetentionIs90DaysThenGzip() {
        AuditConfig audit = audit("file: ./audit.jsonl");

        assertThat(audit.rollover()).isEqualTo(AuditRollover.NEVER);
        assertThat(audit.retention()).isEqualTo(new AuditRetention(Duration.ofDays(90), Disposal.GZIP));
        assertThat(audit.postgres()).isNull();
    }

    @Test
    void readsRolloverRetentionArchiveAndThePostgresTree() {
        AuditConfig audit = audit("""
                file: ./audit.jsonl
                rollover: {maxSize: 64MB, daily: true, zone: Europe/Berlin}
                retention: 30d
                archive: delete
                postgres: {url: "jdbc:postgresql://db:5432/rotor", usernameEnv: PGUSER, passwordEnv: PGPASSWORD}
                """);

        assertThat(audit.rollover()).isEqualTo(new AuditRollover(64L << 20, true, ZoneId.of("Europe/Berlin")));
        assertThat(audit.retention()).isEqualTo(new AuditRetention(Duration.ofDays(30), Disposal.DELETE));
        assertThat(audit.postgres()).isEqualTo(Map.of("url", "jdbc:postgresql://db:5432/rotor", "usernameEnv", "PGUSER",
                "passwordEnv", "PGPASSWORD"));
    }

    @Test
    void sizesTakeBytesOrAUnit() {
        assertThat(audit("file: ./a.jsonl\nrollover: {maxSize: 512KB}").rollover().maxBytes()).isEqualTo(512L * 1024);
        assertThat(audit("file: ./a.jsonl\nrollover: {maxSize: 1GB}").rollover().maxBytes()).isEqualTo(1L << 30);
        assertThat(audit("file: ./a.jsonl\nrollover: {maxSize: 100000}").rollover().maxBytes()).isEqualTo(100_000);
        assertThat(audit("file: ./a.jsonl\nrollover: {daily: true}").rollover()).isEqualTo(AuditRollover.of(0, true));
    }

    @Test
    void aPostgresOnlySectionIsAccepted() {
        assertThat(audit("postgres: {url: \"jdbc:postgresql://db/rotor\"}").file()).isNull();
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsField() {
        assertThat(problems("""
                stdout: true
                rollover: {maxSize: lots, daily: sometimes, zone: Mars/Olympus, every: 1h}
                retention: 0d
                archive: tape
                postgres: jdbc
                """)).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "audit.rollover", // needs audit.file
                "audit.rollover.every",
                "audit.rollover.maxSize",
                "audit.rollover.daily",
                "audit.rollover.zone",
                "audit.retention",
                "audit.archive",
                "audit.postgres");
        assertThat(problems("file: ./a.jsonl\nrollover: {maxSize: 1KB}")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("at least 64KB"));
    }
}
