package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.cli.CliEnvironment;
import dev.rotor.cli.RotorCli;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.rotation.RunState;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Await;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon on a RAM job store against a real local store, on the system clock (Quartz runs on
 * real time): it rotates on schedule, and a restarted daemon takes the last success from the
 * store, so it neither forgets a due rotation nor repeats one.
 */
class RamDaemonIT {

    @TempDir
    Path dir;

    private DaemonRuntime open() throws Exception {
        RotatorRegistry rotators = RotatorRegistry.builtIn();
        DaemonConfig config = DaemonConfig.load(dir.resolve("rotor.yaml"), rotators);
        return DaemonRuntime.open(config, ProviderRegistry.builder().register(new LocalStoreProvider()).build(), rotators,
                Clock.systemUTC(), name -> null, new PrintStream(PrintStream.nullOutputStream()), new MetricRegistry(), null);
    }

    private static Set<String> runs(List<VersionInfo> versions) {
        Set<String> runs = new TreeSet<>();
        versions.forEach(v -> RunState.of(v).ifPresent(rs -> runs.add(rs.runId())));
        return runs;
    }

    @Test
    void rotatesOnScheduleAndARestartNeitherForgetsNorRepeats() throws Exception {
        Files.writeString(dir.resolve("rotor.yaml"), """
                stores:
                  main: { type: local, path: ./store, keyFile: ./master.key }
                audit:
                  file: ./audit.jsonl
                rotators:
                  key: { type: random-secret }
                scheduler:
                  overdueCheck: 1s
                policies:
                  - { name: fast, ref: secret://main/api/fast, rotator: key, interval: 3s, grace: 0s }
                  - { name: slow, ref: secret://main/api/slow, rotator: key, interval: 1h }
                """);
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        int keygen = new RotorCli(new CliEnvironment(InputStream.nullInputStream(), quiet, quiet, name -> null, dir, Clock.systemUTC(),
                ProviderRegistry.builder().register(new LocalStoreProvider()).build())).run("keygen", "--out", "master.key");
        assertThat(keygen).isZero();
        List<PolicyNotice> notices = new CopyOnWriteArrayList<>();
        Instant slowWritten;
        try (DaemonRuntime runtime = open()) {
            runtime.rotor().store("main").put("api/fast", SecretValue.ofUtf8("{\"value\":\"a\"}"), PutOptions.current());
            slowWritten = runtime.rotor().store("main").put("api/slow", SecretValue.ofUtf8("{\"value\":\"b\"}"), PutOptions.current()).created();
            runtime.service().addNoticeListener(notices::add);
            try (RotorDaemon daemon = RotorDaemon.start(runtime.service(), name -> null)) {
                assertThat(daemon.ready()).isTrue();
                Await.that("two rotations of the fast policy").until(Duration.ofSeconds(30),
                        () -> notices.stream().filter(n -> n instanceof PolicyNotice.Rotated r && r.policy().equals("fast")).count() >= 2);
            }
            assertThat(runs(runtime.rotor().store("main").versions("api/slow"))).as("slow is not due for an hour").isEmpty();
            assertThat(runtime.rotor().store("main").versions("api/fast")).noneMatch(v -> v.has(Stage.PENDING));
        }

        // Restart: the slow secret's last success is still its creation, so it stays not due.
        try (DaemonRuntime runtime = open()) {
            RotationService.Target slow = runtime.service().targets().stream().filter(t -> t.policy().name().equals("slow")).findFirst().orElseThrow();
            assertThat(runtime.service().plan(slow).lastSuccess()).isEqualTo(slowWritten);
            assertThat(runtime.service().plan(slow).due()).isEqualTo(slowWritten.plus(Duration.ofHours(1)));
            int fastRunsBefore = runs(runtime.rotor().store("main").versions("api/fast")).size();
            try (RotorDaemon daemon = RotorDaemon.start(runtime.service(), name -> null)) {
                Await.that("the fast policy rotating again after the restart").until(Duration.ofSeconds(30),
                        () -> runs(runtime.rotor().store("main").versions("api/fast")).size() > fastRunsBefore);
            }
            assertThat(runs(runtime.rotor().store("main").versions("api/slow"))).isEmpty();
        }
        assertThat(dev.rotor.audit.AuditLogVerifier.verify(dir.resolve("audit.jsonl")).ok()).isTrue();
    }
}
