package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotor rotate}, {@code rotate --due}, emergency and {@code status} against a real PostgreSQL role. */
class DaemonCliIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CliHarness cli;
    private String role;
    private String initialPassword;

    @BeforeEach
    void setUp() throws Exception {
        role = "app_" + Long.toHexString(System.nanoTime());
        initialPassword = Canary.create().text();
        PG.admin("CREATE ROLE " + role + " LOGIN PASSWORD '" + initialPassword + "'");
        cli = new CliHarness(dir, ProviderRegistry.builder().register(new LocalStoreProvider()).build());
        cli.env.put("PG_ADMIN_USER", EmbeddedPostgresPeer.ADMIN);
        cli.env.put("PG_ADMIN_PASSWORD", EmbeddedPostgresPeer.ADMIN_PASSWORD);
        cli.config("""
                stores:
                  main: { type: local, path: ./data/store, keyFile: ./data/master.key }
                audit:
                  file: ./data/audit.jsonl
                rotators:
                  app-db:
                    type: postgres-password
                    host: 127.0.0.1
                    port: %d
                    database: postgres
                    strategy: single-user
                    role: %s
                    admin: { usernameEnv: PG_ADMIN_USER, passwordEnv: PG_ADMIN_PASSWORD }
                policies:
                  - name: app-db
                    ref: secret://main/db/app
                    rotator: app-db
                    grace: 1h
                """.formatted(PG.port(), role));
        assertThat(cli.run("keygen", "--out", "data/master.key").exitCode()).isZero();
        // The secret was written 100 days ago: past its 90-day interval.
        cli.clock = Clock.fixed(CliHarness.NOW.minus(Duration.ofDays(100)), ZoneOffset.UTC);
        CliHarness.Result put = cli.runWithInput("{\"username\":\"" + role + "\",\"password\":\"" + initialPassword + "\"}",
                "put", "secret://main/db/app");
        assertThat(put.exitCode()).as(put.toString()).isZero();
        cli.clock = Clock.fixed(CliHarness.NOW, ZoneOffset.UTC);
    }

    private String currentPassword() throws Exception {
        CliHarness.Result r = cli.run("get", "secret://main/db/app#password", "--reveal");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.out().strip();
    }

    private List<JsonNode> audit() throws Exception {
        return Files.readAllLines(dir.resolve("data/audit.jsonl")).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void statusShowsTheSecretOverdueThenRotateDueRotatesItAgainstPostgres() throws Exception {
        CliHarness.Result status = cli.run("status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("REF", "ROTATOR", "LAST ROTATED", "NEXT DUE", "STATE")
                .contains("secret://main/db/app", "app-db (postgres-password)", "2025-11-21T12:00:00Z", "overdue");

        CliHarness.Result due = cli.run("rotate", "--due");
        assertThat(due.exitCode()).as(due.toString()).isZero();
        assertThat(due.out()).contains("rotated  secret://main/db/app: version").contains("due pass: 1 rotated, 0 failed, 0 busy, 0 not due");

        String newPassword = currentPassword();
        assertThat(newPassword).isNotEqualTo(initialPassword);
        assertThat(PG.canLogin(role, newPassword)).isTrue();
        assertThat(PG.canLogin(role, initialPassword)).isFalse();

        CliHarness.Result again = cli.run("rotate", "--due");
        assertThat(again.out()).contains("due pass: 0 rotated, 0 failed, 0 busy, 1 not due");

        CliHarness.Result json = cli.run("status", "--json");
        JsonNode row = JSON.readTree(json.out()).get(0);
        assertThat(row.get("ref").asText()).isEqualTo("secret://main/db/app");
        assertThat(row.get("state").asText()).isEqualTo("ok");
        assertThat(row.get("lastRotated").asText()).isEqualTo(CliHarness.NOW.toString());
        assertThat(row.get("nextDue").asText()).isEqualTo(CliHarness.NOW.plus(Duration.ofDays(90)).toString());
        assertThat(json.out() + due.out() + status.out() + due.err()).doesNotContain(initialPassword).doesNotContain(newPassword);
        assertThat(audit()).filteredOn(e -> e.get("action").asText().equals("ROTATION_SUCCEEDED")).hasSize(1);
    }

    @Test
    void anEmergencyRotationRotatesNowRevokesTheOldPasswordAndAuditsActorAndReason() throws Exception {
        CliHarness.Result noReason = cli.run("rotate", "secret://main/db/app", "--emergency");
        assertThat(noReason.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noReason.err()).contains("--emergency needs --reason");

        CliHarness.Result r = cli.run("rotate", "secret://main/db/app", "--emergency", "--reason", "password pasted in chat");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("rotated  secret://main/db/app").contains("old credential revoked");

        String newPassword = currentPassword();
        assertThat(PG.canLogin(role, newPassword)).isTrue();
        assertThat(PG.canLogin(role, initialPassword)).isFalse();
        List<JsonNode> audit = audit();
        assertThat(audit).filteredOn(e -> e.get("action").asText().equals("ROTATION_STARTED")).singleElement().satisfies(e -> {
            assertThat(e.get("actor").asText()).isEqualTo("tester@testhost");
            assertThat(e.get("detail").asText()).contains("reason=password pasted in chat").contains("emergency");
        });
        assertThat(audit).filteredOn(e -> e.get("action").asText().equals("ROTATION_RETIRED")).hasSize(1);
        assertThat(Files.readString(dir.resolve("data/audit.jsonl"))).doesNotContain(initialPassword).doesNotContain(newPassword);
        assertThat(cli.run("audit", "verify").exitCode()).isZero();
    }

    @Test
    void aRefNoPolicyCoversIsAConfigurationError() {
        CliHarness.Result r = cli.run("rotate", "secret://main/db/other");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err()).contains("no policy covers secret://main/db/other");
    }
}
