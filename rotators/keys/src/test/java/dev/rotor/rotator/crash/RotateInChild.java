package dev.rotor.rotator.crash;

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

/**
 * A child process for {@link KeyRotatorsCrashIT}: one call of the engine on a local store shared
 * with the test, audited to a shared log, reporting each step through a {@link StepPrinter}.
 *
 * <p>Arguments: {@code <RANDOM|SIGNING> <storeDir> <auditFile> <path> <rotate|emergency|resume> <clockOffsetSeconds>}.
 * The master key comes from {@code ROTOR_MASTER_KEY}. The clock offset stands for time passing
 * between processes (a lease expiring, a JWKS cache TTL) without anyone waiting for it.
 */
public final class RotateInChild {

    static final Duration LEASE = Duration.ofSeconds(30);

    private RotateInChild() {}

    public static void main(String[] args) {
        KeyRotators kind = KeyRotators.valueOf(args[0]);
        Path dir = Path.of(args[1]);
        Path auditFile = Path.of(args[2]);
        String path = args[3];
        String mode = args[4];
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(Long.parseLong(args[5])));
        MasterKey key = MasterKey.parse(System.getenv("ROTOR_MASTER_KEY"));
        try (LocalSecretStore store = LocalSecretStore.open("local", dir, key, clock);
                JsonlAuditSink audit = JsonlAuditSink.open(auditFile, JsonlAuditSink.Options.defaults().withClock(clock))) {
            RotationEngine engine = RotationEngine.builder(store).clock(clock).auditSink(audit)
                    .holder("child-" + ProcessHandle.current().pid())
                    .options(RotationOptions.defaults().withLeaseDuration(LEASE).withGracePeriod(KeyRotators.LIFETIME))
                    .listener(StepPrinter.fromSystemProperty())
                    .build();
            RotationResult result = switch (mode) {
                case "rotate" -> engine.rotate(path, kind.rotator(store, path), RotationRequest.scheduled());
                case "emergency" -> engine.rotate(path, kind.rotator(store, path), RotationRequest.emergency("crash-test", "leaked in a crash test"));
                case "resume" -> engine.resume(path, kind.rotator(store, path));
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            System.out.println("RESULT " + result.getClass().getSimpleName() + " " + result);
        } catch (RotationInProgressException e) {
            System.out.println("IN_PROGRESS " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
