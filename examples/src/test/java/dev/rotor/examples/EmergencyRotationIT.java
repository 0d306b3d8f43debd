package dev.rotor.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.Canary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/emergency-rotation.sh} run with bash on the packaged build against a demo
 * configuration on the local store (a {@code random-secret} policy): it rotates, revokes the old
 * version, checks status and the audit log, and prints no value; bad arguments and a failing
 * rotation end it with a non-zero exit.
 */
class EmergencyRotationIT {

    private static final Path ROOT = Path.of(System.getProperty("rotor.project.root", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("examples/emergency-rotation.sh");
    private static final Path ROTOR = ROOT.resolve("bin/rotor");
    private static final String REF = "secret://main/api/partner-key";

    @TempDir
    Path dir;

    Canary initial;

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Result run(String stdin, List<String> command) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_") || k.equals("AUDIT_LOG"));
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        assertThat(done).as("%s did not finish within 180 s", command).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Result rotor(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", ROTOR.toString(), "--config", "demo/rotor.yaml"));
        command.addAll(List.of(args));
        return run(stdin, command);
    }

    private Result script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        return run("", command);
    }

    @BeforeEach
    void demo() throws Exception {
        Files.createDirectories(dir.resolve("demo"));
        Files.writeString(dir.resolve("demo/rotor.yaml"), """
                actor: ops-alice
                stores:
                  main: { type: local, path: ./store, keyFile: ./master.key }
                audit:
                  file: ./audit.jsonl
                rotators:
                  partner-api-key: { type: random-secret, prefix: rk_demo_ }
                policies:
                  - name: partner-api-key
                    ref: secret://main/api/partner-key
                    rotator: partner-api-key
                """);
        initial = Canary.create();
        Result key = rotor("", "keygen", "--out", "demo/master.key");
        assertThat(key.exitCode()).as("%s", key).isZero();
        Result put = rotor("{\"value\":\"rk_demo_" + initial.text() + "\"}", "put", REF);
        assertThat(put.exitCode()).as("%s", put).isZero();
    }

    @Test
    void rotatesRevokesTheOldVersionAndChecksStatusAndTheAuditLogWithoutPrintingAValue() throws Exception {
        Result r = script("demo/rotor.yaml", REF, "key pasted in \"#ops\", INC-4711");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.out())
                .contains("==> 1. What is CURRENT now")
                .contains("==> 2. Rotate now and revoke the old credential at once")
                .containsPattern("rotated  secret://main/api/partner-key: version \\d+ \\(run [0-9a-f-]+, old credential revoked\\)")
                .contains("==> 3. The new version is CURRENT and no PREVIOUS is left")
                .contains("$ rotor status")
                .containsPattern("secret://main/api/partner-key\\s+partner-api-key \\(random-secret\\)")
                .containsPattern("ok: \\d+ lines")
                .contains("audit: ROTATION_STARTED (emergency, reason), ROTATION_SUCCEEDED, ROTATION_RETIRED of run")
                .containsPattern("==> Done: secret://main/api/partner-key rotated from version 1 to \\d+, old credential revoked");
        Result now = rotor("", "get", REF + "#value", "--reveal");
        assertThat(now.exitCode()).as("%s", now).isZero();
        String current = now.out();
        assertThat(current).startsWith("rk_demo_");
        assertThat(r.out() + r.err()).doesNotContain(initial.text()).doesNotContain(current);
        Result versions = rotor("", "versions", REF);
        assertThat(versions.out()).doesNotContain("PREVIOUS");
        assertThat(Files.readString(dir.resolve("demo/audit.jsonl")))
                .contains("reason=key pasted in \\\"#ops\\\", INC-4711")
                .doesNotContain(initial.text()).doesNotContain(current);
    }

    @Test
    void wrongArgumentsPrintTheUsageAndExit2() throws Exception {
        Result none = script();
        assertThat(none.exitCode()).as("%s", none).isEqualTo(2);
        assertThat(none.err()).contains("usage: ").contains("CONFIG REF REASON");

        Result field = script("demo/rotor.yaml", REF + "#value", "leak");
        assertThat(field.exitCode()).as("%s", field).isEqualTo(2);
        assertThat(field.err()).contains("no #field");

        Result blankReason = script("demo/rotor.yaml", REF, "  ");
        assertThat(blankReason.exitCode()).as("%s", blankReason).isEqualTo(2);
        assertThat(blankReason.err()).contains("REASON must not be empty");

        Result noConfig = script("demo/missing.yaml", REF, "leak");
        assertThat(noConfig.exitCode()).as("%s", noConfig).isEqualTo(2);
    }

    @Test
    void aRotationThatCannotRunEndsTheScriptWithRotorsExitCode() throws Exception {
        Result put = rotor("{\"value\":\"rk_demo_other\"}", "put", "secret://main/api/unmanaged");
        assertThat(put.exitCode()).as("%s", put).isZero();

        Result r = script("demo/rotor.yaml", "secret://main/api/unmanaged", "leak");

        // no policy covers the ref: a configuration problem (5), nothing rotated
        assertThat(r.exitCode()).as("%s", r).isEqualTo(5);
        assertThat(r.err()).contains("emergency-rotation: FAILED: 'rotor rotate' exited with 5");
        assertThat(r.out()).doesNotContain("==> 3.");
    }
}
