package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary values put and read through every command: they appear only in the output of
 * {@code get --reveal}, never in other output, errors, logs, the audit log or the store files.
 */
class CanaryCliTest {

    private static final String DB = "secret://main/db/app";

    @TempDir
    Path dir;

    @Test
    void noCommandButRevealShowsAValue() throws Exception {
        Canary current = Canary.create();
        Canary pending = Canary.create();
        Canary wrongPlace = Canary.create();
        CliHarness cli = new CliHarness(dir, Providers.builtIn());
        cli.config("""
                actor: canary-test
                stores:
                  main: {type: local, path: ./data/store, keyFile: ./data/master.key}
                audit: {file: ./data/audit.jsonl}
                """);
        List<CliHarness.Result> results = new ArrayList<>();
        List<CliHarness.Result> reveals = new ArrayList<>();

        CliHarness.Result verify;
        LeakChecker leaks = LeakChecker.start(current, pending, wrongPlace)
                .watchFile(dir.resolve("data/audit.jsonl"))
                .watchFile(dir.resolve("data/audit.jsonl.checkpoint"))
                .watchFile(dir.resolve("data/store"));
        try (leaks) {
            results.add(cli.run("keygen", "--out", "data/master.key"));
            results.add(cli.runWithInput("{\"username\":\"app\",\"password\":\"" + current.text() + "\"}", "put", DB, "--tag", "kind=db"));
            results.add(cli.runWithInput("{\"username\":\"app\",\"password\":\"" + pending.text() + "\"}", "put", "--pending", DB));
            results.add(cli.run("get", DB));
            results.add(cli.run("get", DB + "#password"));
            results.add(cli.run("get", "--json", DB + "?stage=pending"));
            results.add(cli.run("versions", DB));
            results.add(cli.run("list", "main"));
            results.add(cli.run("list", "main/db/"));
            reveals.add(cli.run("get", "--reveal", DB + "#password"));
            results.add(cli.run("promote", DB));
            reveals.add(cli.run("get", "--reveal", DB + "#password"));
            verify = cli.run("audit", "verify", "data/audit.jsonl");
            results.add(verify);
            // failures that involve the value: a missing field, a value given where it does not belong
            results.add(cli.run("get", "--reveal", DB + "#host"));
            results.add(cli.run("put", DB, wrongPlace.text()));
            results.add(cli.run("put", DB, "--value=" + wrongPlace.text()));
            results.add(cli.runWithInput("x", "put", wrongPlace.text()));
            results.add(cli.runWithInput("{\"a\":\"" + wrongPlace.text() + "\"}", "put", DB + "#a"));
            results.add(cli.run("--verbose", "get", "--reveal", "secret://main/db/app#host"));
        }

        for (CliHarness.Result r : results) {
            LeakChecker.assertNoCanaryIn("stdout of a command", r.out(), leaks.canaries());
            LeakChecker.assertNoCanaryIn("stderr of a command", r.err(), leaks.canaries());
        }
        leaks.assertNoLeaks();
        // The canaries did go in and come out where they should.
        assertThat(reveals).extracting(CliHarness.Result::out).containsExactly(current.text(), pending.text());
        assertThat(results.get(1).exitCode()).isZero();
        assertThat(verify.out()).startsWith("ok: ");
        assertThat(Files.readAllLines(dir.resolve("data/audit.jsonl"))).hasSizeGreaterThan(8);
    }
}
