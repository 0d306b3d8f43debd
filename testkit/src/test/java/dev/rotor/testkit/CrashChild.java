package dev.rotor.testkit;

import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.PutOptions;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;

/** A child process for {@link CrashHarnessIT}: one rotation against a fake target, reported by a {@link StepPrinter}. */
public final class CrashChild {

    private CrashChild() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("exit-early")) {
            System.out.println("STEP PREPARE");
            return;
        }
        FakeLogin target = new FakeLogin();
        String pw = FakeLogin.newPassword();
        target.set("app", pw);
        try (InMemorySecretStore store = new InMemorySecretStore("child")) {
            store.put("app/db", FakeLogin.credential("app", pw), PutOptions.current());
            RotationEngine engine = RotationEngine.builder(store).holder("crash-child").listener(StepPrinter.fromSystemProperty()).build();
            RotationResult result = engine.rotate("app/db", target.rotator(FakeLogin.Strategy.SINGLE_USER, FakeLogin.Flaw.NONE),
                    RotationRequest.scheduled());
            System.out.println("RESULT " + result.getClass().getSimpleName());
        }
    }
}
