package dev.rotor.rotator.mariadb;

import dev.rotor.SecretValue;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.testkit.StepPrinter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A separate process that rotates (or resumes) one MariaDB credential held in a local store,
 * for the crash tests: {@link dev.rotor.testkit.CrashHarness} kills it with SIGKILL right after a
 * step, and another one resumes.
 *
 * <p>Arguments: {@code rotate|emergency|resume}, store directory, key file, audit file, JDBC
 * URL, strategy id, comma-separated user names, secret path, clock offset in seconds (a resumer
 * runs "later", past the dead holder's lease), holder name. Environment: {@code MARIADB_ADMIN_USER}
 * and {@code MARIADB_ADMIN_PASSWORD}.
 *
 * <p>Standard output: the {@link StepPrinter} lines, then {@code RESULT <kind> <runId>}, or
 * {@code IN_PROGRESS <message>} with exit code 3 when another run holds the lease.
 */
public final class RotationChild {

    static final Duration LEASE = Duration.ofMinutes(1);

    private RotationChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path storeDir = Path.of(args[1]);
        Path keyFile = Path.of(args[2]);
        Path auditFile = Path.of(args[3]);
        String jdbcUrl = args[4];
        Strategy strategy = Strategy.fromId(args[5]);
        List<String> users = List.of(args[6].split(","));
        String path = args[7];
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(Long.parseLong(args[8])));
        String holder = args[9];

        MariaDbRotatorSettings.Builder settings = MariaDbRotatorSettings.builder().jdbcUrl(jdbcUrl).strategy(strategy)
                .connectTimeout(Duration.ofSeconds(5));
        if (strategy == Strategy.ALTERNATING_USERS) {
            settings.users(users.get(0), users.get(1));
        } else {
            settings.username(users.get(0));
        }
        AdminCredentials admin = new AdminCredentials(System.getenv("MARIADB_ADMIN_USER"), SecretValue.ofUtf8(System.getenv("MARIADB_ADMIN_PASSWORD")));
        MasterKey key = MasterKey.read(keyFile);
        int exit;
        try (LocalSecretStore store = LocalSecretStore.open("local", storeDir, key, clock);
                JsonlAuditSink audit = JsonlAuditSink.open(auditFile, JsonlAuditSink.Options.defaults());
                MariaDbPasswordRotator rotator = MariaDbPasswordRotator.create(settings.build(), admin)) {
            key.destroy();
            RotationEngine engine = RotationEngine.builder(store).clock(clock).auditSink(audit).holder(holder)
                    .options(RotationOptions.defaults().withLeaseDuration(LEASE))
                    .listener(StepPrinter.fromSystemProperty())
                    .build();
            RotationResult result;
            try {
                result = switch (mode) {
                    case "rotate" -> engine.rotate(path, rotator, RotationRequest.scheduled());
                    case "emergency" -> engine.rotate(path, rotator, RotationRequest.emergency("crash-test", "simulated leak"));
                    case "resume" -> engine.resume(path, rotator);
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                };
            } catch (RotationInProgressException e) {
                System.out.println("IN_PROGRESS " + e.getMessage());
                System.out.flush();
                System.exit(3);
                return;
            }
            String runId = switch (result) {
                case RotationResult.Succeeded s -> s.runId();
                case RotationResult.Failed f -> f.runId();
                case RotationResult.RolledBack r -> r.runId();
                case RotationResult.Retired r -> r.runId();
                case RotationResult.NothingToDo n -> "-";
            };
            System.out.println("RESULT " + result.getClass().getSimpleName() + " " + runId);
            System.out.flush();
            exit = result instanceof RotationResult.Failed ? 1 : 0;
        }
        System.exit(exit);
    }
}
