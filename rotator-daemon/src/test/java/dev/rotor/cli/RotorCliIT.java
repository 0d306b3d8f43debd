package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code rotor.jar} run as a process: the main flows and every exit code. */
class RotorCliIT {

    private static final String DB = "secret://main/db/app";
    private static final String API = "secret://main/api/token";

    @TempDir
    Path dir;

    RotorProcess rotor;

    @BeforeAll
    static void jarIsBuilt() {
        assertThat(RotorProcess.JAR).as("the shaded jar (built by the package phase)").isRegularFile();
    }

    @BeforeEach
    void setUp() throws IOException {
        rotor = new RotorProcess(dir);
        Files.writeString(dir.resolve("rotor.yaml"), """
                actor: it-runner
                stores:
                  main:
                    type: local
                    path: ./data/store
                    keyFile: ./data/master.key
                audit:
                  file: ./data/audit.jsonl
                """);
    }

    private static void assertOk(RotorProcess.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).isEmpty();
    }

    /** Exactly one line on stderr, naming the problem, and the exit code; nothing on stdout. */
    private static String assertOneLineError(RotorProcess.Result r, int exitCode) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(exitCode);
        assertThat(r.err().lines().toList()).as("%s", r).hasSize(1).first().asString().startsWith("rotor: ");
        assertThat(r.out()).as("%s", r).isEmpty();
        return r.err().strip();
    }

    private void keyAndTwoSecrets() throws Exception {
        assertOk(rotor.rotor("keygen", "--out", "data/master.key"));
        assertOk(rotor.rotorWithInput("{\"username\":\"app\",\"password\":\"pw-1\"}", "put", DB));
        assertOk(rotor.rotorWithInput("tok-1", "put", API));
    }

    @Test
    void versionAndHelp() throws Exception {
        RotorProcess.Result version = rotor.rotor("--version");
        assertOk(version);
        assertThat(version.out().strip()).matches("rotor \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");

        RotorProcess.Result help = rotor.rotor("--help");
        assertOk(help);
        assertThat(help.out()).contains("Exit codes:").contains("put").contains("keygen");
    }

    @Test
    void rotationByHand() throws Exception {
        RotorProcess.Result keygen = rotor.rotor("keygen", "--out", "data/master.key");
        assertOk(keygen);
        assertThat(keygen.out()).contains(dir.resolve("data/master.key").toString());

        RotorProcess.Result put = rotor.rotorWithInput("{\"username\":\"app\",\"password\":\"pw-1\"}", "put", DB, "--tag", "owner=it");
        assertOk(put);
        assertThat(put.out()).isEqualTo(DB + ": put version 1 (CURRENT)\n");

        assertOk(rotor.rotorWithInput("{\"username\":\"app2\",\"password\":\"pw-2\"}", "put", "--pending", DB));

        RotorProcess.Result get = rotor.rotor("get", DB);
        assertOk(get);
        assertThat(get.out()).contains("version  1").contains("stages   CURRENT").contains("tags     owner=it");

        RotorProcess.Result promote = rotor.rotor("promote", DB);
        assertOk(promote);
        assertThat(promote.out()).isEqualTo(DB + ": CURRENT 1 -> 2; PREVIOUS is now 1\n");

        RotorProcess.Result reveal = rotor.rotor("get", "--reveal", DB + "#username");
        assertOk(reveal);
        assertThat(reveal.out()).isEqualTo("app2");

        RotorProcess.Result json = rotor.rotor("get", "--json", DB + "?stage=previous");
        assertOk(json);
        assertThat(json.out()).contains("\"version\" : \"1\"").contains("\"PREVIOUS\"");

        RotorProcess.Result versions = rotor.rotor("versions", DB);
        assertOk(versions);
        assertThat(versions.out().lines().toList()).hasSize(3).first().asString().startsWith("VERSION");
        assertThat(versions.out()).contains("PREVIOUS").contains("CURRENT");

        RotorProcess.Result list = rotor.rotor("list", "main");
        assertOk(list);
        assertThat(list.out()).isEqualTo("db/app\n");

        RotorProcess.Result verify = rotor.rotor("audit", "verify", "data/audit.jsonl");
        assertOk(verify);
        assertThat(verify.out()).startsWith("ok: 9 lines (");
        assertThat(Files.readAllLines(dir.resolve("data/audit.jsonl"))).allSatisfy(l -> assertThat(l).contains("\"actor\":\"it-runner\""));
    }

    @Test
    void tamperedAuditLogFailsVerificationWithExitCode7() throws Exception {
        keyAndTwoSecrets();
        Path log = dir.resolve("data/audit.jsonl");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        lines.remove(0);
        Files.write(log, lines);

        RotorProcess.Result r = rotor.rotor("audit", "verify", "data/audit.jsonl");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCodes.AUDIT_INVALID);
        assertThat(r.out()).startsWith("data/audit.jsonl:1: ");
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l).matches("data/audit\\.jsonl:\\d+: .+"));
        assertThat(r.err().lines().toList()).singleElement().asString().startsWith("rotor: audit verification failed: ");
    }

    @Test
    void aCanaryNeverLeavesThroughAnyCommandOfTheProcess() throws Exception {
        Canary canary = Canary.create();
        Canary stray = Canary.create();
        List<RotorProcess.Result> results = new java.util.ArrayList<>();
        results.add(rotor.rotor("keygen", "--out", "data/master.key"));
        results.add(rotor.rotorWithInput("{\"username\":\"app\",\"password\":\"" + canary.text() + "\"}", "put", DB));
        results.add(rotor.rotorWithInput("{\"username\":\"app\",\"password\":\"" + canary.text() + "-2\"}", "put", "--pending", DB));
        results.add(rotor.rotor("get", DB));
        results.add(rotor.rotor("get", "--json", DB + "#password"));
        results.add(rotor.rotor("versions", DB));
        results.add(rotor.rotor("promote", DB));
        results.add(rotor.rotor("list", "main"));
        results.add(rotor.rotor("audit", "verify", "data/audit.jsonl"));
        results.add(rotor.rotor("--verbose", "get", "--reveal", DB + "#nope"));
        results.add(rotor.rotor("put", DB, stray.text()));
        results.add(rotor.rotorWithInput("x", "put", stray.text()));
        RotorProcess.Result reveal = rotor.rotor("get", "--reveal", DB + "#password?stage=previous");

        assertThat(results).allSatisfy(r -> {
            LeakChecker.assertNoCanaryIn("stdout", r.out(), canary, stray);
            LeakChecker.assertNoCanaryIn("stderr", r.err(), canary, stray);
        });
        assertThat(results.subList(0, 9)).allSatisfy(RotorCliIT::assertOk);
        try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                LeakChecker.assertNoCanaryIn("file " + f, new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8),
                        canary, stray);
            }
        }
        assertThat(dir.resolve("data/audit.jsonl")).isNotEmptyFile();
        assertThat(reveal.out()).isEqualTo(canary.text());
    }

    @Test
    void exitCodes() throws Exception {
        keyAndTwoSecrets();

        assertThat(assertOneLineError(rotor.rotor("get", "secret://main/db//app"), ExitCodes.USAGE)).contains("empty path segment");
        assertThat(assertOneLineError(rotor.rotor("get", "--bogus", DB), ExitCodes.USAGE)).contains("unknown option '--bogus'");
        assertThat(assertOneLineError(rotor.rotor("get", "secret://main/none"), ExitCodes.NOT_FOUND)).contains("'none' not found");
        assertThat(assertOneLineError(rotor.rotor("promote", DB), ExitCodes.NOT_FOUND)).contains("no PENDING version");
        assertThat(assertOneLineError(rotor.rotor("get", "secret://prod/x"), ExitCodes.CONFIGURATION)).contains("no store named 'prod'");
        assertThat(assertOneLineError(rotor.rotor("keygen", "--out", "data/master.key"), ExitCodes.FAILURE)).contains("already exists");
        assertThat(assertOneLineError(rotor.rotorWithInput("", "put", DB), ExitCodes.USAGE)).contains("stdin is empty");
    }

    @Test
    void missingMasterKeyLosesNothing() throws Exception {
        keyAndTwoSecrets();
        Files.move(dir.resolve("data/master.key"), dir.resolve("elsewhere.key"));

        assertThat(assertOneLineError(rotor.rotor("get", DB), ExitCodes.CONFIGURATION))
                .contains("stores.main.keyFile").contains("does not exist");

        Files.move(dir.resolve("elsewhere.key"), dir.resolve("data/master.key"));
        assertThat(rotor.rotor("get", "--reveal", API).out()).isEqualTo("tok-1");
    }

    @Test
    void wrongMasterKeyLosesNothing() throws Exception {
        keyAndTwoSecrets();
        Files.move(dir.resolve("data/master.key"), dir.resolve("right.key"));
        assertOk(rotor.rotor("keygen", "--out", "data/master.key"));

        assertThat(assertOneLineError(rotor.rotor("get", DB), ExitCodes.CONFIGURATION)).contains("master key does not match");
        assertOneLineError(rotor.rotorWithInput("x", "put", API), ExitCodes.CONFIGURATION);

        Files.delete(dir.resolve("data/master.key"));
        Files.move(dir.resolve("right.key"), dir.resolve("data/master.key"));
        assertThat(rotor.rotor("get", "--reveal", API).out()).isEqualTo("tok-1");
        assertThat(rotor.rotor("get", "--reveal", DB + "#password").out()).isEqualTo("pw-1");
    }

    @Test
    void corruptStoreFileIsAnIntegrityErrorAndAnotherSecretStillReads() throws Exception {
        keyAndTwoSecrets();
        Path file = dir.resolve("data/store/secrets/db+app.sec");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 0x01;
        Files.write(file, bytes);

        assertThat(assertOneLineError(rotor.rotor("get", DB), ExitCodes.INTEGRITY)).contains(file.toString()).contains("db/app");

        assertThat(rotor.rotor("get", "--reveal", API).out()).isEqualTo("tok-1");
        assertThat(rotor.rotor("list", "main").out().lines().toList()).containsExactly("api/token", "db/app");
    }

    @Test
    void unknownConfigKeyIsNamed() throws Exception {
        Files.writeString(dir.resolve("rotor.yaml"), "stores: {main: {type: local, path: ./s, keyFile: ./k}}\nauditt: {}\n");

        assertThat(assertOneLineError(rotor.rotor("list", "main"), ExitCodes.CONFIGURATION)).contains("auditt: unknown key");
    }

    @Test
    void binRotorRunsTheJarWithASelectedJdk() throws Exception {
        RotorProcess.Result r = rotor.run(List.of("bash", RotorProcess.PROJECT_ROOT.resolve("bin/rotor").toString(), "--version"), new byte[0]);

        assertOk(r);
        assertThat(r.out()).startsWith("rotor ");
    }

    @Test
    void binRotorWithoutTheJarSaysHowToBuildIt() throws Exception {
        Path fakeRoot = Files.createDirectories(dir.resolve("clone"));
        Files.createDirectories(fakeRoot.resolve("bin"));
        Files.createDirectories(fakeRoot.resolve(".mvn"));
        Files.copy(RotorProcess.PROJECT_ROOT.resolve("bin/rotor"), fakeRoot.resolve("bin/rotor"));
        Files.copy(RotorProcess.PROJECT_ROOT.resolve(".mvn/select-jdk.sh"), fakeRoot.resolve(".mvn/select-jdk.sh"));

        RotorProcess.Result r = rotor.run(List.of("bash", fakeRoot.resolve("bin/rotor").toString(), "--version"), new byte[0]);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("run ./mvnw -B -DskipTests package first");
    }

    @Test
    void aSecondRunWaitsForTheAuditLogAnotherRunHasOpen() throws Exception {
        keyAndTwoSecrets();
        Path log = dir.resolve("data/audit.jsonl");
        // A put holds the stores and the audit log open while it reads its value from stdin.
        Process holder = start("holder", "put", "secret://main/held");
        for (int i = 0; i < 600 && !AuditLogLock.heldByAnotherProcess(log); i++) {
            assertThat(holder.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS)).as("the holder exited early").isFalse();
        }
        assertThat(AuditLogLock.heldByAnotherProcess(log)).as("the holder has the audit log open").isTrue();

        Process waiter = start("waiter", "get", "--reveal", API);
        assertThat(waiter.waitFor(3, java.util.concurrent.TimeUnit.SECONDS)).as("the second run waits instead of failing").isFalse();
        try (var in = holder.getOutputStream()) {
            in.write("held-value".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        assertThat(holder.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(waiter.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(holder.exitValue()).as(Files.readString(dir.resolve("holder.err"))).isZero();
        assertThat(waiter.exitValue()).as(Files.readString(dir.resolve("waiter.err"))).isZero();
        assertThat(Files.readString(dir.resolve("waiter.out"))).isEqualTo("tok-1");
        assertThat(rotor.rotor("audit", "verify", "data/audit.jsonl").exitCode()).isZero();
    }

    private Process start(String name, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(RotorProcess.JAVA.toString(), "-jar", RotorProcess.JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_"));
        return pb.start();
    }
}
