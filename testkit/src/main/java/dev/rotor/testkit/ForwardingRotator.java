package dev.rotor.testkit;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.Rotator;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Rotator} that passes every call on to another one. A test subclasses it and overrides
 * the step it wants to observe, delay or make fail (calling {@code super} to keep the real work),
 * so the other steps stay those of the real rotator.
 *
 * <p>Thread-safe as far as the rotator it forwards to is; subclasses add their own state.
 */
public class ForwardingRotator implements Rotator {

    private final Rotator delegate;

    public ForwardingRotator(Rotator delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The rotator every call goes to. */
    protected final Rotator delegate() {
        return delegate;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        delegate.preflight(context, current);
    }

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        return delegate.create(context, current);
    }

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        delegate.apply(context, current, pending);
    }

    @Override
    public void verify(RotationContext context, Secret pending) {
        delegate.verify(context, pending);
    }

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
        delegate.rollback(context, current, pending);
    }

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        delegate.retire(context, previous, current);
    }
}
