package dev.rotor.rotator.postgres;

import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A child process for {@link PostgresCrashMatrixIT}: one rotation of a PostgreSQL credential
 * held in a local store, through the engine, in a JVM of its own so the test can kill it with
 * SIGKILL.
 *
 * <p>Arguments: store directory, audit file ({@code -} for none), PostgreSQL port, strategy,
 * comma-separated roles, path, the step after which to stop ({@code none} to run through),
 * marker file, {@code emergency} or {@code routine}. Environment: {@code ROTOR_MASTER_KEY} (the
 * store's key), {@code PG_ADMIN_USER} and {@code PG_ADMIN_PASSWORD}.
 *
 * <p>When the step completes it writes the marker file (atomically) and then waits forever,
 * holding the lease, for the test to kill it. Without a stop it prints the result and exits:
 * 0 on success, 3 for "rotation in progress" (the message on stdout), 1 otherwise.
 */
public final class RotationChild {

    static final Duration LEASE = Duration.ofMinutes(1);

    private RotationChild() {}

    public static void main(String[] args) throws Exception {
        Path storeDir = Path.of(args[0]);
        String auditFile = args[1];
        int port = Integer.parseInt(args[2]);
        Strategy strategy = Strategy.of(args[3]);
        List<String> roles = List.of(args[4].split(","));
        String path = args[5];
        String stopAfter = args[6];
        Path marker = Path.of(args[7]);
        boolean emergency = "emergency".equals(args[8]);

        MasterKey key = MasterKey.parse(System.getenv("ROTOR_MASTER_KEY"));
        PostgresRotatorSettings.Builder settings = PostgresRotatorSettings.builder().host("127.0.0.1").port(port).database("postgres");
        if (strategy == Strategy.SINGLE_USER) {
            settings.singleUser(roles.get(0));
        } else {
            settings.alternating(roles.get(0), roles.get(1));
        }
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir, key, Clock.systemUTC());
                JsonlAuditSink audit = "-".equals(auditFile) ? null : JsonlAuditSink.open(Path.of(auditFile), JsonlAuditSink.Options.defaults());
                PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings.build(),
                        AdminCredentials.fromEnvironment("PG_ADMIN_USER", "PG_ADMIN_PASSWORD"))) {
            key.destroy();
            RotationEngine.Builder engine = RotationEngine.builder(store)
                    .holder("child-" + ProcessHandle.current().pid())
                    .options(RotationOptions.defaults().withLeaseDuration(LEASE))
                    .listener(event -> {
                        if (event instanceof RotationEvent.StepCompleted done && done.step().name().equals(stopAfter)) {
                            stopHere(marker, done.step());
                        }
                    });
            if (audit != null) {
                engine.auditSink(audit);
            }
            RotationRequest request = emergency ? RotationRequest.emergency("crash-test", "simulated leak") : RotationRequest.scheduled();
            RotationResult result;
            try {
                result = engine.build().rotate(path, rotator, request);
            } catch (RotationInProgressException e) {
                System.out.println("IN_PROGRESS " + e.getMessage());
                System.out.flush();
                System.exit(3);
                return;
            }
            System.out.println("RESULT " + result);
            System.out.flush();
            System.exit(result instanceof RotationResult.Succeeded ? 0 : 1);
        }
    }

    private static void stopHere(Path marker, Step step) {
        try {
            Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
            Files.writeString(tmp, step.name(), StandardCharsets.UTF_8);
            Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("STOPPED after " + step);
            System.out.flush();
            new CountDownLatch(1).await(); // until SIGKILL
        } catch (Exception e) {
            throw new IllegalStateException("could not stop after " + step, e);
        }
    }
}
