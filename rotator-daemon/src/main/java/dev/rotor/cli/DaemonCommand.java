package dev.rotor.cli;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import dev.rotor.api.AdminServer;
import dev.rotor.api.AuthFailure;
import dev.rotor.daemon.DaemonAdminService;
import dev.rotor.daemon.DaemonRuntime;
import dev.rotor.daemon.RotorDaemon;
import dev.rotor.daemon.RunLog;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotor daemon}: runs the policies on their schedules until stopped (SIGTERM or SIGINT stop it gracefully). */
@Command(name = "daemon",
        description = {
            "Runs every policy of rotor.yaml on its schedule (Quartz: RAM job store, or PostgreSQL clustered with scheduler.store: jdbc).",
            "Prints 'rotor daemon ready' once scheduling; SIGTERM waits for running rotations, then exits 0.",
            "With an api: section, also serves the admin HTTP API on its listen address (stopped first on shutdown).",
        })
final class DaemonCommand extends Subcommand {

    @Option(names = "--jmx", description = "Also publish the metrics over JMX (domain dev.rotor).")
    boolean jmx;

    /** How often the daemon retries failed Kubernetes syncs (each on its own backoff) and re-checks every synced Secret. */
    private static final Duration KUBERNETES_RECHECK = Duration.ofMinutes(1);

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
            RunLog runs = new RunLog(RunLog.DEFAULT_CAPACITY);
            runtime.service().addListener(runs);
            RotorDaemon daemon = RotorDaemon.start(runtime.service(), env().environment());
            // Repairs Secrets left stale by an earlier run at once, then retries failed syncs and re-checks every minute.
            runtime.kubernetesSync().ifPresent(s -> s.start(KUBERNETES_RECHECK));
            AdminServer api;
            try {
                api = startApi(runtime, runs, daemon, metrics);
            } catch (RuntimeException e) {
                daemon.close();
                throw e;
            }
            // On SIGTERM: stop the API (no new requests), stop scheduling, wait for running rotations,
            // then let this thread close the stores, the audit log and alerting before the JVM halts.
            Thread hook = new Thread(() -> {
                if (api != null) {
                    api.close();
                }
                daemon.close();
                try {
                    closed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "rotor-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out().println("rotor daemon ready: " + runtime.config().policies().size() + " policies, instance " + daemon.instanceId()
                    + ", " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms"
                    + (api == null ? "" : ", api " + api.uri()));
            out().flush();
            try {
                daemon.awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (api != null) {
                    api.close();
                }
                daemon.close();
            } finally {
                if (reporter != null) {
                    reporter.stop();
                }
            }
            return ExitCodes.OK;
        });
    }

    /** The admin API when the configuration has an {@code api:} section (which needs an audit section), else null. */
    private @Nullable AdminServer startApi(DaemonRuntime runtime, RunLog runs, RotorDaemon daemon, MetricRegistry metrics) {
        if (runtime.config().api() == null) {
            return null;
        }
        AdminServer.Builder b = AdminServer.builder().config(runtime.config().api())
                .service(new DaemonAdminService(runtime, runs, daemon::ready)).metrics(metrics)
                .audit(runtime.auditSink().orElseThrow()).clock(env().clock()).env(env().environment());
        // Bursts are counted per client: the principal when the credential named one, else the address.
        runtime.alerting().ifPresent(a -> b.authFailureListener(
                (AuthFailure f) -> a.authFailure(f.principal() != null ? f.principal() : f.remoteAddress())));
        AdminServer api = b.build();
        api.start();
        // GET /v1/events streams each promoted or retired rotation to applications' watchers.
        runtime.service().addListener(api.rotationListener());
        return api;
    }
}
