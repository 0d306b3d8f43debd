package dev.rotor.daemon;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Await;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Starts a daemon (RAM job store) with N policies and reports the time to ready and the resident
 * memory. Not a test; run it as a program:
 *
 * <pre>{@code
 * ./mvnw -B -q -pl rotator-daemon -am test-compile -Djacoco.skip=true
 * ./mvnw -B -q -pl rotator-daemon dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -XX:TieredStopAtLevel=1 -Xms16m -XX:+UseSerialGC -cp rotator-daemon/target/classes:rotator-daemon/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.rotor.daemon.DaemonStartBench 10000
 * }</pre>
 *
 * Time to ready runs from reading the file to the scheduler running with every job registered
 * (config parse and validation, opening the stores, Quartz start). The secrets are written to the
 * in-memory store first, as a deployment's store holds them already. Resident memory is VmRSS from
 * {@code /proc/self/status}, at ready and after the first wave (each job works out its plan once).
 */
public final class DaemonStartBench {

    private DaemonStartBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("rotor-bench");
        Path file = dir.resolve("rotor.yaml");
        StringBuilder yaml = new StringBuilder("""
                stores:
                  main: { type: memory }
                rotators:
                  key: { type: random-secret }
                scheduler:
                  threads: 4
                policies:
                """);
        for (int i = 0; i < n; i++) {
            yaml.append("  - { name: p").append(i).append(", ref: secret://main/bench/s").append(i)
                    .append(", rotator: key, window: { days: [MON, TUE, WED, THU, FRI], hours: \"02:00-05:00\", zone: Europe/Berlin }")
                    .append(", jitter: 30m }\n");
        }
        Files.writeString(file, yaml);
        System.out.printf("policies: %d, config file: %d bytes, RSS before: %s%n", n, Files.size(file), rss());

        RotatorRegistry rotators = RotatorRegistry.builtIn();
        ProviderRegistry providers = ProviderRegistry.builder().register(new InMemoryStoreProvider()).build();
        MetricRegistry metrics = new MetricRegistry();
        long t0 = System.nanoTime();
        DaemonConfig config = DaemonConfig.load(file, rotators);
        long parsed = System.nanoTime();
        try (DaemonRuntime runtime = DaemonRuntime.open(config, providers, rotators, Clock.systemUTC(), System::getenv,
                new PrintStream(PrintStream.nullOutputStream()), metrics, null)) {
            long opened = System.nanoTime();
            SecretStore store = runtime.rotor().store("main");
            for (int i = 0; i < n; i++) {
                store.put("bench/s" + i, SecretValue.ofUtf8("{\"value\":\"v" + i + "\"}"), PutOptions.current());
            }
            long seeded = System.nanoTime();
            try (RotorDaemon daemon = RotorDaemon.start(runtime.service(), System::getenv)) {
                long ready = System.nanoTime();
                Duration toReady = Duration.ofNanos((parsed - t0) + (opened - parsed) + (ready - seeded));
                System.out.printf("time to ready: %d ms (parse+validate %d ms, open %d ms, scheduler with %d jobs %d ms); RSS at ready: %s%n",
                        toReady.toMillis(), ms(parsed - t0), ms(opened - parsed), n, ms(ready - seeded), rss());
                // From the JVM's start, less the seeding: what an operator waits for after starting the process.
                System.out.printf("from JVM start to ready, without seeding: %d ms%n",
                        ManagementFactory.getRuntimeMXBean().getUptime() - ms(seeded - opened));
                // The first wave: every job runs once to work out its plan and reschedule itself.
                Await.that("the first wave (" + n + " plans)").until(Duration.ofMinutes(5), () -> metrics.getGauges().size() >= 2L * n);
                System.out.printf("first wave done after %d ms (%d plans); RSS: %s%n", ms(System.nanoTime() - ready),
                        metrics.getGauges().size() / 2, rss());
                System.gc();
                // Not a wait on a condition: gives the collector a moment to hand memory back before RSS is read.
                Thread.sleep(500);
                System.out.printf("RSS after GC: %s; heap used: %d MB%n", rss(),
                        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            }
        }
    }

    private static long ms(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }

    private static String rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                List<String> parts = List.of(line.split("\\s+"));
                return (Long.parseLong(parts.get(1)) / 1024) + " MB";
            }
        }
        return "unknown";
    }
}
