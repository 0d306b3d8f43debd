package dev.rotor.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.Rotor;
import dev.rotor.SecretRef;
import dev.rotor.config.RotorConfig;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/quickstart.sh} runs through on the packaged build, as README's first command
 * does: the daemon rotates all three secrets at least twice while the application's queries all
 * succeed, {@code rotor status} and {@code rotor audit verify} pass, and no secret value reaches
 * the output.
 */
class QuickstartIT {

    private static final Path ROOT = Path.of(System.getProperty("rotor.project.root", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("examples/quickstart.sh");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {}

    private Result run(Path workDir) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_") || k.startsWith("QUICKSTART_"));
        pb.environment().put("QUICKSTART_DIR", workDir.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        // The demo runs for 60 s; PostgreSQL's first start and the CLI calls add some.
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        assertThat(done).as("quickstart.sh did not finish within 240 s").isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theDaemonRotatesEverySecretWhileTheApplicationKeepsWorking() throws Exception {
        Path workDir = dir.resolve("quickstart");

        Result r = run(workDir);

        assertThat(r.exitCode()).as("%s%n%s", r.out(), r.err()).isZero();
        assertThat(r.err()).as(r.err()).isEmpty();
        assertThat(r.out())
                .contains("$ rotor keygen --out master.key")
                .contains("daemon ready: 3 policies")
                .contains("interval: 15s                    # real: 90d")
                .contains("app      now connects as app_b")
                .contains("is refused")
                .contains("demo: ok")
                .doesNotContain("FAIL")
                .contains("$ rotor status")
                .contains("secret://main/db/app           app-db (postgres-password)")
                .contains("$ rotor audit verify audit.jsonl");
        assertThat(r.out()).containsPattern("application: \\d+ queries, 0 failed");
        for (String ref : List.of("secret://main/db/app", "secret://main/keys/signing", "secret://main/api/partner-key")) {
            assertThat(r.out()).as(ref).containsPattern("\\Q" + ref + "\\E\\s+[2-9] rotations");
        }
        assertThat(r.out()).containsPattern("ok: \\d+ lines");

        // The audit log and the store agree: three successful rotations or more of each secret.
        List<JsonNode> audit = new ArrayList<>();
        for (String line : Files.readAllLines(workDir.resolve("audit.jsonl"))) {
            audit.add(JSON.readTree(line));
        }
        assertThat(audit).filteredOn(e -> e.get("action").asText().equals("ROTATION_SUCCEEDED")).hasSizeGreaterThanOrEqualTo(6);
        assertThat(audit).filteredOn(e -> e.get("action").asText().equals("ROTATION_FAILED")).isEmpty();

        // No value of any version, and not the master key, was printed.
        String key = Files.readString(workDir.resolve("master.key")).strip();
        assertThat(r.out()).doesNotContain(key);
        try (Rotor rotor = Rotor.builder(RotorConfig.load(workDir.resolve("rotor.yaml")),
                ProviderRegistry.builder().register(new LocalStoreProvider()).build()).build()) {
            List<String> values = new ArrayList<>();
            values.add(rotor.get(SecretRef.parse("secret://main/db/app#password")).value().asUtf8());
            values.add(rotor.get(SecretRef.parse("secret://main/db/rotor-admin#password")).value().asUtf8());
            values.add(rotor.get(SecretRef.parse("secret://main/api/partner-key#value")).value().asUtf8());
            JsonNode keys = JSON.readTree(rotor.get(SecretRef.parse("secret://main/keys/signing")).value().asUtf8());
            for (JsonNode jwk : keys.findParents("d")) {
                values.add(jwk.get("d").asText());
            }
            assertThat(values).hasSizeGreaterThanOrEqualTo(4).allSatisfy(v -> assertThat(v).hasSizeGreaterThan(16));
            for (String v : values) {
                assertThat(r.out()).doesNotContain(v);
            }
        }
    }

    @Test
    void refusesADirectoryItDidNotMake() throws Exception {
        Path foreign = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(foreign.resolve("notes.txt"), "keep me");

        Result r = run(foreign);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("was not made by this script");
        assertThat(foreign.resolve("notes.txt")).hasContent("keep me");
        assertThat(foreign.toFile().list()).containsExactly("notes.txt");
    }
}
