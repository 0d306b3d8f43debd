package dev.rotor.hikari;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.Rotator;
import org.jspecify.annotations.Nullable;

/** A real rotator with a step or two overridden by a test to observe or interleave; the rest passes through. */
class DelegatingRotator implements Rotator {

    private final Rotator delegate;

    DelegatingRotator(Rotator delegate) {
        this.delegate = delegate;
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
