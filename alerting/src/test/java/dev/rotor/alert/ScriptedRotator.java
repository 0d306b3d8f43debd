package dev.rotor.alert;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * A rotator whose target is nothing: it makes random credentials and fails at the step a test
 * names, with a foreign exception whose message holds {@code leak} (which the engine must keep
 * out of every event, and so out of every alert).
 */
final class ScriptedRotator implements Rotator {

    private final String leak;
    private volatile @Nullable Step failAt;

    ScriptedRotator(String leak) {
        this.leak = leak;
    }

    void failAt(@Nullable Step step) {
        this.failAt = step;
    }

    @Override
    public String type() {
        return "scripted";
    }

    private void maybeFail(Step step) {
        if (failAt == step) {
            throw new IllegalStateException("target refused credential " + leak + " at " + step);
        }
    }

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        maybeFail(Step.PREPARE);
    }

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return SecretValue.ofUtf8(HexFormat.of().formatHex(b));
    }

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        maybeFail(Step.APPLY);
    }

    @Override
    public void verify(RotationContext context, Secret pending) {
        maybeFail(Step.VERIFY);
    }

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {}

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        maybeFail(Step.RETIRE);
    }
}
