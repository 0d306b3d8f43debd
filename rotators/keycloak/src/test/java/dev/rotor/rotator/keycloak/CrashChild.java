package dev.rotor.rotator.keycloak;

import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The process that {@link KeycloakCrashMatrixIT} kills: it rotates one secret of a local store
 * on Keycloak through the engine and, right after the step it is told, prints {@link #STOPPED}
 * and waits to be killed (SIGKILL) with the lease held and nothing after that step done.
 *
 * <p>Arguments: store directory, audit file, Keycloak URL, realm, strategy, clients (comma
 * separated), secret path, step to stop after, emergency ({@code true}/{@code false}), lease
 * seconds. Environment: {@code ROTOR_MASTER_KEY} (the store's key) and {@link #SECRET_ENV} (the
 * rotator's own client secret).
 */
public final class CrashChild {

    static final String STOPPED = "CRASH-CHILD STOPPED AFTER ";
    static final String FINISHED = "CRASH-CHILD FINISHED ";
    static final String SECRET_ENV = "ROTOR_TEST_KEYCLOAK_SECRET";

    private CrashChild() {}

    public static void main(String[] args) {
        Path storeDir = Path.of(args[0]);
        Path auditFile = Path.of(args[1]);
        String server = args[2];
        String realm = args[3];
        String strategy = args[4];
        List<String> clients = List.of(args[5].split(","));
        String path = args[6];
        Step stopAfter = Step.valueOf(args[7]);
        boolean emergency = Boolean.parseBoolean(args[8]);
        Duration lease = Duration.ofSeconds(Long.parseLong(args[9]));

        MasterKey key = MasterKey.parse(System.getenv("ROTOR_MASTER_KEY"));
        KeycloakRotatorSettings settings = new KeycloakRotatorSettings(server, realm, strategy, clients,
                new KeycloakRotatorSettings.Auth(null, Fixture.ROTATOR, SECRET_ENV, null, null), null, null, null, null);
        try (LocalSecretStore store = LocalSecretStore.open("crash", storeDir, key, Clock.systemUTC());
                JsonlAuditSink audit = JsonlAuditSink.open(auditFile, JsonlAuditSink.Options.defaults())) {
            KeycloakClientSecretRotator rotator = KeycloakClientSecretRotator.fromSettings(settings, "rotators.crash", System::getenv,
                    Path.of("").toAbsolutePath(), Clock.systemUTC());
            RotationEngine engine = RotationEngine.builder(store)
                    .holder("crash-child-" + ProcessHandle.current().pid())
                    .options(RotationOptions.defaults().withLeaseDuration(lease))
                    .auditSink(audit)
                    .listener(event -> {
                        if (event instanceof RotationEvent.StepCompleted done && done.step() == stopAfter) {
                            System.out.println(STOPPED + done.step());
                            System.out.flush();
                            while (true) {
                                LockSupport.park(); // until SIGKILL
                            }
                        }
                    })
                    .build();
            RotationResult result = engine.rotate(path, rotator,
                    emergency ? RotationRequest.emergency("ops", "crash test") : RotationRequest.scheduled());
            System.out.println(FINISHED + result);
        }
    }
}
