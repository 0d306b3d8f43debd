package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotor daemon} as a process: it reports ready, rotates, and stops gracefully on SIGTERM, leaving a verifiable audit log. */
class DaemonProcessIT {

    @TempDir
    Path dir;

    @Test
    void sigtermStopsTheDaemonGracefullyWithItsAuditLogClosed() throws Exception {
        CliHarness cli = new CliHarness(dir, ProviderRegistry.builder().register(new LocalStoreProvider()).build());
        cli.config("""
                stores:
                  main: { type: local, path: ./store, keyFile: ./master.key }
                audit:
                  file: ./audit.jsonl
                rotators:
                  key: { type: random-secret }
                policies:
                  - { name: api, ref: secret://main/api/key, rotator: key, interval: 1h }
                """);
        assertThat(cli.run("keygen", "--out", "master.key").exitCode()).isZero();

        Process p = RotorProcess.startDaemon(dir, Map.of(), "--jmx");
        try {
            // The secret has never been rotated: the daemon rotates it at once (creating it).
            Await.that("the first rotation").until(Duration.ofSeconds(60), () -> {
                if (Files.readString(dir.resolve("out.txt")).contains("rotor daemon ready")
                        && Files.exists(dir.resolve("audit.jsonl")) && Files.readString(dir.resolve("audit.jsonl")).contains("ROTATION_SUCCEEDED")) {
                    return true;
                }
                assertThat(p.isAlive()).as("daemon running; stderr: %s", Files.readString(dir.resolve("err.txt"))).isTrue();
                return false;
            });
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.readString(dir.resolve("err.txt"))).doesNotContain("ERROR").doesNotContain("Exception");
        CliHarness.Result verify = cli.run("audit", "verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(cli.run("status").out()).contains("secret://main/api/key", "ok");
    }
}
