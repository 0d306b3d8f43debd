package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.Canary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotor render}: files for an init container, all refs resolved before any file is written. */
class RenderCliTest {

    @TempDir
    Path dir;

    private CliHarness cli;
    private final Canary password = Canary.create();

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliHarness(dir, Providers.builtIn()).config("""
                stores:
                  main:
                    type: local
                    path: ./data/store
                    keyFile: ./data/master.key
                """);
        assertThat(cli.run("keygen", "--out", "data/master.key").exitCode()).isZero();
        assertThat(cli.runWithInput("{\"username\":\"app\",\"password\":\"" + password.text() + "\"}", "put", "secret://main/db/app")
                .exitCode()).isZero();
    }

    @Test
    void writesOwnerOnlyFilesUnderTheDirectoryAndReplacesThemOnARerun() throws IOException {
        CliHarness.Result r = cli.run("render", "--dir", "out", "--file", "db/password=secret://main/db/app#password",
                "--file", "db/user=secret://main/db/app#username", "--file", "none=optional:secret://main/missing");

        assertThat(r.exitCode()).as("%s", r).isZero();
        Path file = dir.resolve("out/db/password");
        assertThat(Files.readString(file)).isEqualTo(password.text());
        assertThat(Files.readString(dir.resolve("out/db/user"))).isEqualTo("app");
        assertThat(dir.resolve("out/none")).doesNotExist();
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(r.out()).contains("rendered 2 files to " + dir.resolve("out")).doesNotContain(password.text());

        assertThat(cli.run("render", "--dir", "out", "--file", "db/password=secret://main/db/app#username").exitCode()).isZero();
        assertThat(Files.readString(file)).isEqualTo("app");
        try (var left = Files.list(dir.resolve("out/db"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("password", "user");
        }
    }

    @Test
    void aFailingRefWritesNothingAndAPathMayNotLeaveTheDirectory() {
        CliHarness.Result r = cli.run("render", "--dir", "out", "--file", "a=secret://main/db/app#password", "--file", "b=secret://main/missing");
        assertThat(r.exitCode()).as("%s", r).isNotZero();
        assertThat(r.err()).contains("secret://main/missing").doesNotContain(password.text());
        assertThat(dir.resolve("out/a")).doesNotExist();

        CliHarness.Result escape = cli.run("render", "--dir", "out", "--file", "../x=secret://main/db/app#password");
        assertThat(escape.exitCode()).as("%s", escape).isEqualTo(ExitCodes.USAGE);
        assertThat(dir.resolve("x")).doesNotExist();
    }
}
