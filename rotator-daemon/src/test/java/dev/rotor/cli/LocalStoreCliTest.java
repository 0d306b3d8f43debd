package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI over the real local store, in-process: keys, damaged files and what survives them. */
class LocalStoreCliTest {

    private static final String DB = "secret://main/db/app";
    private static final String API = "secret://main/api/token";

    @TempDir
    Path dir;

    CliHarness cli;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliHarness(dir, Providers.builtIn());
        cli.config("""
                stores:
                  main:
                    type: local
                    path: ./data/store
                    keyFile: ./data/master.key
                """);
    }

    private static void assertOk(CliHarness.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).isEmpty();
    }

    private static String assertOneLineError(CliHarness.Result r, int exitCode) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(exitCode);
        assertThat(r.err().strip().lines()).as("%s", r).hasSize(1);
        assertThat(r.err()).as("%s", r).startsWith("rotor: ");
        return r.err().strip();
    }

    private void twoSecrets() {
        assertOk(cli.run("keygen", "--out", "data/master.key"));
        assertOk(cli.runWithInput("{\"username\":\"app\",\"password\":\"pw-1\"}", "put", DB));
        assertOk(cli.runWithInput("tok-1", "put", API));
    }

    @Test
    void keygenWritesAnOwnerOnlyKeyFileAndPrintsItsPathNotTheKey() throws IOException {
        CliHarness.Result r = cli.run("keygen", "--out", "keys/master.key");

        assertOk(r);
        Path file = dir.resolve("keys/master.key");
        String key = Files.readString(file).strip();
        assertThat(key).hasSize(44);
        assertThat(r.out()).contains(file.toString()).doesNotContain(key);
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void keygenDefaultsToMasterKeyInTheWorkingDirectory() {
        assertOk(cli.run("keygen"));

        assertThat(dir.resolve("master.key")).isRegularFile();
    }

    @Test
    void keygenRefusesToOverwriteAndLeavesTheOldKey() throws IOException {
        assertOk(cli.run("keygen", "--out", "k"));
        String before = Files.readString(dir.resolve("k"));

        String line = assertOneLineError(cli.run("keygen", "--out", "k"), ExitCodes.FAILURE);

        assertThat(line).contains(dir.resolve("k").toString()).contains("already exists");
        assertThat(Files.readString(dir.resolve("k"))).isEqualTo(before);
    }

    @Test
    void theWholeFlowWorksOnTheLocalStore() {
        twoSecrets();
        assertOk(cli.runWithInput("{\"username\":\"app2\",\"password\":\"pw-2\"}", "put", "--pending", DB));

        assertThat(cli.run("get", DB).out()).contains("version  1").contains("stages   CURRENT");
        assertThat(cli.run("promote", DB).out()).contains("CURRENT 1 -> 2");
        assertThat(cli.run("get", "--reveal", DB + "#username").out()).isEqualTo("app2");
        assertThat(cli.run("versions", DB).out().lines()).hasSize(3);
        assertThat(cli.run("list", "main").out().lines()).containsExactly("api/token", "db/app");
    }

    @Test
    void missingKeyFileIsAConfigurationErrorAndLosesNothing() throws IOException {
        twoSecrets();
        Files.move(dir.resolve("data/master.key"), dir.resolve("saved.key"));

        String line = assertOneLineError(cli.run("get", DB), ExitCodes.CONFIGURATION);
        assertThat(line).contains("stores.main.keyFile").contains("key file does not exist");
        assertOneLineError(cli.runWithInput("other", "put", DB), ExitCodes.CONFIGURATION);

        Files.move(dir.resolve("saved.key"), dir.resolve("data/master.key"));
        assertThat(cli.run("get", "--reveal", DB + "#password").out()).isEqualTo("pw-1");
        assertThat(cli.run("get", "--reveal", API).out()).isEqualTo("tok-1");
    }

    @Test
    void unsetKeyEnvironmentVariableIsNamed() throws IOException {
        cli.config("stores: {main: {type: local, path: ./data/store}}");

        String line = assertOneLineError(cli.run("list", "main"), ExitCodes.CONFIGURATION);

        assertThat(line).contains("stores.main.keyEnv").contains("ROTOR_MASTER_KEY is not set");
    }

    @Test
    void aKeyFromTheEnvironmentWorks() throws IOException {
        twoSecrets();
        cli.env.put("ROTOR_MASTER_KEY", Files.readString(dir.resolve("data/master.key")).strip());
        cli.config("stores: {main: {type: local, path: ./data/store}}");

        assertThat(cli.run("get", "--reveal", API).out()).isEqualTo("tok-1");
    }

    @Test
    void wrongKeyIsRefusedWithoutWritingAndTheRightKeyStillReadsEverything() throws IOException {
        twoSecrets();
        Files.move(dir.resolve("data/master.key"), dir.resolve("right.key"));
        assertOk(cli.run("keygen", "--out", "data/master.key"));

        String line = assertOneLineError(cli.run("get", DB), ExitCodes.CONFIGURATION);
        assertThat(line).contains("master key does not match");
        assertOneLineError(cli.runWithInput("{\"by\":\"wrong key\"}", "put", DB), ExitCodes.CONFIGURATION);

        Files.delete(dir.resolve("data/master.key"));
        Files.move(dir.resolve("right.key"), dir.resolve("data/master.key"));
        assertThat(cli.run("versions", DB).out().lines()).hasSize(2);
        assertThat(cli.run("get", "--reveal", DB + "#password").out()).isEqualTo("pw-1");
    }

    @Test
    void aCorruptSecretFileIsAnIntegrityErrorNamingItAndOtherSecretsStillWork() throws IOException {
        twoSecrets();
        Path file = dir.resolve("data/store/secrets/db+app.sec");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);

        String line = assertOneLineError(cli.run("get", DB), ExitCodes.INTEGRITY);
        assertThat(line).contains(file.toString()).contains("db/app").contains("authentication failed");
        assertOneLineError(cli.run("versions", DB), ExitCodes.INTEGRITY);
        assertOneLineError(cli.runWithInput("x", "put", DB), ExitCodes.INTEGRITY);

        assertThat(cli.run("get", "--reveal", API).out()).isEqualTo("tok-1");
        assertOk(cli.runWithInput("tok-2", "put", API));
        assertThat(cli.run("list", "main").out().lines()).containsExactly("api/token", "db/app");
    }

    @Test
    void unknownStoreNameAndUnknownConfigKeyAreConfigurationErrors() throws IOException {
        twoSecrets();

        assertThat(assertOneLineError(cli.run("get", "secret://prod/db/app"), ExitCodes.CONFIGURATION))
                .contains("no store named 'prod'").contains("configured: main");

        cli.config("stores: {main: {type: local, path: ./data/store, keyFile: ./data/master.key}}\nstore: {}\n");
        assertThat(assertOneLineError(cli.run("get", DB), ExitCodes.CONFIGURATION)).contains("store: unknown key");
    }

    @Test
    void aMisspelledProviderSettingIsNamed() throws IOException {
        cli.config("stores: {main: {type: local, path: ./data/store, keyFiel: ./k}}");

        assertThat(assertOneLineError(cli.run("list", "main"), ExitCodes.CONFIGURATION)).contains("stores.main.keyFiel: unknown setting");
    }
}
