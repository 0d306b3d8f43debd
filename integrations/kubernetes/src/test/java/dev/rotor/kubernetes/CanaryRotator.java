package dev.rotor.kubernetes;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.Canary;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** A rotator with no target: each new version is {@code {"username": "app", "password": <a fresh canary>}}. */
final class CanaryRotator implements Rotator {

    private final Supplier<Canary> canaries;
    private volatile @Nullable Canary last;

    CanaryRotator(Supplier<Canary> canaries) {
        this.canaries = canaries;
    }

    /** The password of the latest version made. */
    Canary last() {
        return java.util.Objects.requireNonNull(last, "no version made yet");
    }

    @Override
    public String type() {
        return "canary";
    }

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {}

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        Canary c = canaries.get();
        last = c;
        return SecretValue.ofFields(Map.of("username", "app", "password", c.text()));
    }

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {}

    @Override
    public void verify(RotationContext context, Secret pending) {}

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {}

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {}
}
