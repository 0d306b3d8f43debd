package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI records in the audit log, and {@code rotor audit verify}. */
class AuditCliTest {

    private static final String DB = "secret://main/db/app";
    private static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @TempDir
    Path dir;

    CliHarness cli;
    Path log;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliHarness(dir, Providers.builtIn());
        cli.config("""
                actor: ops-alice
                stores:
                  main: {type: local, path: ./data/store, keyFile: ./data/master.key}
                audit:
                  file: ./data/audit.jsonl
                """);
        log = dir.resolve("data/audit.jsonl");
        assertOk(cli.run("keygen", "--out", "data/master.key"));
    }

    private static void assertOk(CliHarness.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).isEmpty();
    }

    private static String assertOneLineError(CliHarness.Result r, int exitCode) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(exitCode);
        assertThat(r.err().strip().lines()).as("%s", r).hasSize(1);
        return r.err().strip();
    }

    private void rotate() {
        assertOk(cli.runWithInput("{\"username\":\"app\",\"password\":\"pw-1\"}", "put", DB));
        assertOk(cli.runWithInput("{\"username\":\"app\",\"password\":\"pw-2\"}", "put", "--pending", DB));
        assertOk(cli.run("promote", DB));
    }

    @Test
    void everyCommandIsRecordedAsTheConfiguredActorWithOneRequestIdPerRun() throws IOException {
        rotate();
        assertOk(cli.run("get", DB));
        assertOk(cli.run("list", "main"));

        List<String> lines = Files.readAllLines(log);
        assertThat(lines).extracting(l -> l.replaceAll(".*\"action\":\"([A-Z_]+)\".*", "$1"))
                .containsExactly("PUT", "PUT", "VERSIONS", "PROMOTE", "GET", "LIST");
        assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"actor\":\"ops-alice\"").contains("\"store\":\"main\""));
        String promoteRun = lines.get(2).replaceAll(".*\"requestId\":\"([^\"]+)\".*", "$1");
        assertThat(lines.get(3)).contains("\"requestId\":\"" + promoteRun + "\"");
        assertThat(lines.get(4)).doesNotContain(promoteRun);
        assertThat(lines).noneMatch(l -> l.contains("pw-1") || l.contains("pw-2"));
    }

    @Test
    void verifyAnIntactLog() {
        rotate();

        CliHarness.Result r = cli.run("audit", "verify", "data/audit.jsonl");

        assertOk(r);
        assertThat(r.out()).startsWith("ok: 4 lines (");
    }

    @Test
    void verifyWithoutAFileChecksTheConfiguredLogWithItsKey() throws IOException {
        cli.config("""
                stores:
                  main: {type: local, path: ./data/store, keyFile: ./data/master.key}
                audit: {file: ./data/audit.jsonl, checkpointKeyEnv: AUDIT_KEY}
                """);
        cli.env.put("AUDIT_KEY", KEY);
        rotate();

        CliHarness.Result r = cli.run("audit", "verify");

        assertOk(r);
        assertThat(r.out()).isEqualTo("ok: 4 lines (checkpoint signature verified)" + System.lineSeparator());
        assertThat(cli.run("audit", "verify", "data/audit.jsonl").out()).contains("signed, not checked");
        assertThat(cli.run("audit", "verify", "data/audit.jsonl", "--checkpoint-key-env", "AUDIT_KEY").out())
                .contains("signature verified");
    }

    @Test
    void aTamperedLogListsEachProblemAsFileLineMessageAndExitsWith7() throws IOException {
        rotate();
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        lines.set(1, lines.get(1).replace("\"actor\":\"ops-alice\"", "\"actor\":\"mallory\""));
        Files.write(log, lines);

        CliHarness.Result r = cli.run("audit", "verify", "data/audit.jsonl");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUDIT_INVALID);
        assertThat(r.out().lines()).isNotEmpty().allSatisfy(l -> assertThat(l).matches("data/audit\\.jsonl:\\d+: .+"));
        assertThat(r.out()).startsWith("data/audit.jsonl:2: edited");
        assertThat(r.err().strip()).matches("rotor: audit verification failed: \\d+ problems? in data/audit\\.jsonl");
    }

    @Test
    void aDeletedLineIsNamedByLineNumber() throws IOException {
        rotate();
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        lines.remove(1);
        Files.write(log, lines);

        CliHarness.Result r = cli.run("audit", "verify", "data/audit.jsonl");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUDIT_INVALID);
        assertThat(r.out().lines().findFirst()).hasValueSatisfying(l -> assertThat(l)
                .startsWith("data/audit.jsonl:2: seq 3 expected 2")
                .contains("deleted"));
    }

    @Test
    void twoSwappedLinesAreNamedByLineNumber() throws IOException {
        rotate();
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        java.util.Collections.swap(lines, 1, 2);
        Files.write(log, lines);

        CliHarness.Result r = cli.run("audit", "verify", "data/audit.jsonl");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUDIT_INVALID);
        assertThat(r.out().lines().findFirst()).hasValueSatisfying(l -> assertThat(l)
                .startsWith("data/audit.jsonl:2: seq 3 expected 2")
                .contains("lines 2 and 3 were swapped"));
    }

    @Test
    void aTamperedLogAlsoStopsNewAccessesFailClosed() throws IOException {
        rotate();
        List<String> lines = Files.readAllLines(log);
        Files.write(log, lines.subList(0, 2));

        String line = assertOneLineError(cli.run("get", DB), ExitCodes.FAILURE);

        assertThat(line).contains("audit log").contains(log.toString());
    }

    @Test
    void verifyProblemsWithTheInvocation() throws IOException {
        assertThat(assertOneLineError(cli.run("audit", "verify", "nope.jsonl"), ExitCodes.USAGE)).contains("does not exist");
        rotate();
        assertThat(assertOneLineError(cli.run("audit", "verify", "data/audit.jsonl", "--checkpoint-key-env", "UNSET_KEY"),
                ExitCodes.CONFIGURATION)).contains("UNSET_KEY is not set");
        assertThat(assertOneLineError(cli.run("audit"), ExitCodes.USAGE)).contains("needs a command: verify");

        cli.config("stores: {main: {type: local, path: ./data/store, keyFile: ./data/master.key}}");
        assertThat(assertOneLineError(cli.run("audit", "verify"), ExitCodes.CONFIGURATION)).contains("no audit file is configured");
    }

    @Test
    void auditToStdoutGoesToStderrInTheCli() throws IOException {
        cli.config("""
                stores:
                  main: {type: local, path: ./data/store, keyFile: ./data/master.key}
                audit: {stdout: true}
                """);
        CliHarness.Result put = cli.runWithInput("v", "put", DB);
        assertThat(put.exitCode()).as("%s", put).isZero();
        assertThat(put.out()).doesNotContain("\"action\"");
        assertThat(put.err()).contains("\"action\":\"PUT\"");

        CliHarness.Result r = cli.run("get", "--reveal", DB);

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("v");
        assertThat(r.err()).contains("\"action\":\"GET\"").contains("\"actor\":");
    }
}
