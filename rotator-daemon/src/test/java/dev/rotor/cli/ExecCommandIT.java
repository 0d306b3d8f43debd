package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rotor.testkit.Await;
import dev.rotor.testkit.Canary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rotor exec} with real child processes ({@code /bin/sh}): what reaches the child, the
 * private files, exit codes, refusal to start on any failed ref, and signals passed on. The
 * child reports what it saw by writing files the test reads, never on rotor's streams.
 */
class ExecCommandIT {

    private static final Path SH = Path.of("/bin/sh");

    @TempDir
    Path dir;

    CliHarness cli;
    Canary password;
    Canary key;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliHarness(dir, Providers.builtIn());
        cli.config("""
                stores:
                  main:
                    type: local
                    path: ./data/store
                    keyFile: ./data/master.key
                audit:
                  file: ./data/audit.jsonl
                """);
        password = Canary.create();
        key = Canary.create();
        assertOk(cli.run("keygen", "--out", "data/master.key"));
        assertOk(cli.runWithInput("{\"username\":\"app\",\"password\":\"" + password.text() + "\"}", "put", "secret://main/db/app"));
        assertOk(cli.runWithInput("-----BEGIN KEY-----\n" + key.text() + "\n", "put", "secret://main/tls/key"));
    }

    private static void assertOk(CliHarness.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    private void assertNoCanaries(CliHarness.Result r) {
        assertThat(r.out() + r.err()).as("rotor's own output").doesNotContain(password.text()).doesNotContain(key.text());
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void variablesAndFilesReachTheChildAndTheFilesAreOwnerOnlyAndRemovedAfterwards() throws IOException {
        CliHarness.Result r = cli.run("exec",
                "--env", "DB_PASSWORD=secret://main/db/app#password",
                "--env", "DB_USER=secret://main/db/app#username",
                "--env", "FEATURE=optional:secret://main/feature/flag",
                "--env", "TIMEOUT=secret://main/app/timeout|default:30",
                "--file", "tls/key.pem=secret://main/tls/key",
                "--", SH.toString(), "-c", """
                        printf '%s' "$DB_PASSWORD" > seen-password
                        printf '%s' "$DB_USER" > seen-user
                        printf '%s' "${FEATURE-unset}" > seen-feature
                        printf '%s' "$TIMEOUT" > seen-timeout
                        printf '%s' "$ROTOR_FILES_DIR" > seen-dir
                        cat "$ROTOR_FILES_DIR/tls/key.pem" > seen-key
                        stat -c '%a' "$ROTOR_FILES_DIR" "$ROTOR_FILES_DIR/tls" "$ROTOR_FILES_DIR/tls/key.pem" > seen-modes
                        """);

        assertOk(r);
        assertNoCanaries(r);
        assertThat(read("seen-password")).isEqualTo(password.text());
        assertThat(read("seen-user")).isEqualTo("app");
        assertThat(read("seen-feature")).isEqualTo("unset");
        assertThat(read("seen-timeout")).isEqualTo("30");
        assertThat(read("seen-key")).isEqualTo("-----BEGIN KEY-----\n" + key.text() + "\n");
        assertThat(read("seen-modes").lines()).containsExactly("700", "700", "600");
        Path filesDir = Path.of(read("seen-dir"));
        assertThat(filesDir.getFileName().toString()).startsWith("rotor-exec-");
        assertThat(filesDir).doesNotExist();
        // one pass: the audit log names the reads (each secret once), never a value
        String audit = read("data/audit.jsonl");
        assertThat(audit).contains("\"path\":\"db/app\"", "\"path\":\"tls/key\"")
                .doesNotContain(password.text()).doesNotContain(key.text());
    }

    @Test
    void theChildsExitCodeIsRotorsAndItsOwnFilesInThePrivateDirectoryGoToo() throws IOException {
        CliHarness.Result r = cli.run("exec", "--file", "k=secret://main/tls/key",
                SH.toString(), "-c", "echo scratch > \"$ROTOR_FILES_DIR/extra\"; printf '%s' \"$ROTOR_FILES_DIR\" > seen-dir; exit 42");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(42);
        assertThat(r.err()).isEmpty();
        assertThat(Path.of(read("seen-dir"))).doesNotExist();
    }

    @Test
    void aFailingRefAmongGoodOnesNamesEveryFailureInOneErrorAndTheChildNeverRuns() {
        CliHarness.Result r = cli.run("exec",
                "--env", "DB_PASSWORD=secret://main/db/app#password",
                "--env", "MISSING=secret://main/db/nope",
                "--env", "NO_FIELD=secret://main/db/app#pasword",
                "--file", "token=secret://vault/api/token",
                "--file", "key=secret://main/tls/key",
                "--", SH.toString(), "-c", "touch marker");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err().strip().lines()).as("%s", r).singleElement().satisfies(line -> assertThat(line)
                .startsWith("rotor: 3 secret refs could not be resolved: ")
                .contains("--env MISSING = secret://main/db/nope: NOT_FOUND")
                .contains("--env NO_FIELD = secret://main/db/app#pasword: NO_SUCH_FIELD")
                .contains("--file token = secret://vault/api/token: UNKNOWN_STORE"));
        assertNoCanaries(r);
        assertThat(dir.resolve("marker")).doesNotExist();
    }

    @Test
    void onlyMissingSecretsExitWithNotFound() {
        CliHarness.Result r = cli.run("exec", "--env", "A=secret://main/db/nope", "--", SH.toString(), "-c", "touch marker");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(dir.resolve("marker")).doesNotExist();
    }

    @Test
    void badArgumentsAreNamedAllAtOnceWithoutWhatFollowsTheEqualsSign() {
        CliHarness.Result r = cli.run("exec",
                "--env", "DB_PASSWORD",
                "--env", "1BAD=secret://main/db/app",
                "--env", "API_KEY=hunter2-typed-by-mistake",
                "--env", "hunter3-typed-alone",
                "--file", "../escape=secret://main/tls/key",
                "--", SH.toString(), "-c", "touch marker");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip().lines()).as("%s", r).singleElement().satisfies(line -> assertThat(line)
                .startsWith("rotor: 5 bad arguments: ")
                .contains("--env DB_PASSWORD: expected NAME=REF")
                .contains("--env '1BAD'=...: a variable name is letters, digits and '_'")
                .contains("--env API_KEY=...: the value after '=' must be a secret ref")
                .contains("--env #4 (not shown)")
                .contains("--file '../escape'=...: the file path must not hold empty, '.' or '..' segments")
                .doesNotContain("hunter"));
        assertThat(dir.resolve("marker")).doesNotExist();
    }

    @Test
    void aValueNoEnvironmentVariableCanHoldIsRefusedWithoutShowingIt() {
        byte[] withNul = ("a\0b" + password.text()).getBytes(StandardCharsets.UTF_8);
        assertOk(cli.runWithInput(withNul, "put", "secret://main/bin/nul"));
        assertOk(cli.runWithInput(new byte[] {(byte) 0xff, (byte) 0xfe, 1, 2}, "put", "secret://main/bin/raw"));

        CliHarness.Result nul = cli.run("exec", "--env", "X=secret://main/bin/nul", "--", SH.toString(), "-c", "touch marker");
        assertThat(nul.exitCode()).as("%s", nul).isEqualTo(ExitCodes.USAGE);
        assertThat(nul.err()).contains("--env X: the value holds a NUL character").contains("use --file");
        assertNoCanaries(nul);

        CliHarness.Result raw = cli.run("exec", "--env", "Y=secret://main/bin/raw", "--", SH.toString(), "-c", "touch marker");
        assertThat(raw.exitCode()).as("%s", raw).isEqualTo(ExitCodes.USAGE);
        assertThat(raw.err()).contains("--env Y: the value is not UTF-8 text");
        assertThat(dir.resolve("marker")).doesNotExist();
    }

    @Test
    void anUnknownCommandExits127AndACommandThatCannotRunExits126() throws IOException {
        CliHarness.Result notFound = cli.run("exec", "--env", "A=secret://main/db/app#username", "--", "no-such-command-rotor-test");
        assertThat(notFound.exitCode()).as("%s", notFound).isEqualTo(ExitCodes.COMMAND_NOT_FOUND);
        assertThat(notFound.err()).contains("command 'no-such-command-rotor-test' not found");

        Path script = dir.resolve("not-executable.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-------"));
        CliHarness.Result cannotRun = cli.run("exec", "--", script.toString());
        assertThat(cannotRun.exitCode()).as("%s", cannotRun).isEqualTo(ExitCodes.CANNOT_RUN);
    }

    @Test
    void argumentsAfterTheCommandBelongToItEvenWithoutDoubleDash() throws IOException {
        CliHarness.Result r = cli.run("exec", "--env", "U=secret://main/db/app#username",
                SH.toString(), "-c", "printf '%s %s' \"$U\" \"$1\" > seen", "sh", "--env");

        assertOk(r);
        assertThat(read("seen")).isEqualTo("app --env");
    }

    // ---- signals: rotor as a process of its own -----------------------------------------------

    private static final String SIGNAL_CHILD = """
            sleep 60 & sleeper=$!
            trap 'echo TERM > trapped; kill $sleeper; exit 42' TERM
            trap 'echo INT > trapped; kill $sleeper; exit 43' INT
            printf '%s' "$ROTOR_FILES_DIR" > seen-dir.tmp && mv seen-dir.tmp seen-dir
            wait $sleeper
            """;

    private Process startRotorProcess(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(RotorProcess.JAVA.toString(), "-jar", RotorProcess.JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("rotor-out.txt").toFile())
                .redirectError(dir.resolve("rotor-err.txt").toFile())
                .start();
    }

    private void signalIsPassedOn(String signal, int childExit) throws Exception {
        Process rotor = startRotorProcess("exec", "--env", "DB_PASSWORD=secret://main/db/app#password",
                "--file", "key=secret://main/tls/key", "--", SH.toString(), "-c", SIGNAL_CHILD);
        try {
            Await.that("the child to start").until(Duration.ofSeconds(60), () -> Files.exists(dir.resolve("seen-dir")) || !rotor.isAlive());
            assertThat(rotor.isAlive()).as("rotor is running; stderr: %s", Files.readString(dir.resolve("rotor-err.txt"))).isTrue();
            Path filesDir = Path.of(read("seen-dir"));
            assertThat(filesDir.resolve("key")).exists();
            if (signal.equals("TERM")) {
                rotor.destroy();
            } else {
                assumeThat(ignoredSignals(rotor.pid()) & (1L << 1))
                        .as("SIGINT is ignored by this test's process tree (started in the background?)").isZero();
                new ProcessBuilder("kill", "-s", signal, Long.toString(rotor.pid())).inheritIO().start().waitFor();
            }
            assertThat(rotor.waitFor(60, TimeUnit.SECONDS)).as("rotor exits once the child did").isTrue();

            assertThat(read("trapped").strip()).isEqualTo(signal);
            assertThat(rotor.exitValue()).isEqualTo(childExit);
            assertThat(filesDir).doesNotExist();
            String own = read("rotor-out.txt") + read("rotor-err.txt");
            assertThat(own).doesNotContain(password.text()).doesNotContain(key.text());
        } finally {
            rotor.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long ignoredSignals(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
            }
        }
        return 0;
    }

    @Test
    void sigtermToRotorIsPassedOnAndTheFilesAreStillRemoved() throws Exception {
        signalIsPassedOn("TERM", 42);
    }

    @Test
    void sigintToRotorIsPassedOnAndTheFilesAreStillRemoved() throws Exception {
        signalIsPassedOn("INT", 43);
    }
}
