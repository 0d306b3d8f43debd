package dev.rotor.cli;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import dev.rotor.daemon.RotorDaemon;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotor daemon}: runs the policies on their schedules until stopped (SIGTERM or SIGINT stop it gracefully). */
@Command(name = "daemon",
        description = {
            "Runs every policy of rotor.yaml on its schedule (Quartz: RAM job store, or PostgreSQL clustered with scheduler.store: jdbc).",
            "Prints 'rotor daemon ready' once scheduling; SIGTERM waits for running rotations, then exits 0.",
        })
final class DaemonCommand extends Subcommand {

    @Option(names = "--jmx", description = "Also publish the metrics over JMX (domain dev.rotor).")
    boolean jmx;

    @Override
    public Integer call() {
        long started = System.nanoTime();
        MetricRegistry metrics = new MetricRegistry();
        CountDownLatch closed = new CountDownLatch(1);
        try {
            return run(started, metrics, closed);
        } finally {
            closed.countDown();
        }
    }

    private int run(long started, MetricRegistry metrics, CountDownLatch closed) {
        return cli().withRuntime(metrics, runtime -> {
            JmxReporter reporter = jmx ? JmxReporter.forRegistry(metrics).inDomain("dev.rotor").build() : null;
            if (reporter != null) {
                reporter.start();
            }
            RotorDaemon daemon = RotorDaemon.start(runtime.service(), env().environment());
            // On SIGTERM: stop scheduling, wait for running rotations, then let this thread close the
            // stores and the audit log before the JVM halts.
            Thread hook = new Thread(() -> {
                daemon.close();
                try {
                    closed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "rotor-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out().println("rotor daemon ready: " + runtime.config().policies().size() + " policies, instance " + daemon.instanceId()
                    + ", " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            out().flush();
            try {
                daemon.awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                daemon.close();
            } finally {
                if (reporter != null) {
                    reporter.stop();
                }
            }
            return ExitCodes.OK;
        });
    }
}
