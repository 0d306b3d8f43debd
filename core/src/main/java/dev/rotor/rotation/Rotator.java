package dev.rotor.rotation;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import org.jspecify.annotations.Nullable;

/**
 * One kind of target whose credential Rotor rotates (a database role, an OAuth2 client, a
 * signing key set). The {@code RotationEngine} drives the steps and persists the run; a rotator
 * only talks to its target.
 *
 * <p>Every method must be idempotent: after a crash the engine calls the step again with the same
 * arguments, so a step must recognise that its work is already done. No method may put a
 * credential in a log line or an exception message. Implementations are thread-safe.
 */
public interface Rotator {

    /** The rotator's type as named in policies, e.g. {@code postgres-password}. */
    String type();

    /**
     * Checks, before anything changes, that the target is reachable and that the rotator's own
     * credentials have the privileges the rotation needs.
     *
     * @throws RotationException at {@link Step#PREPARE} naming what is missing
     */
    void preflight(RotationContext context, @Nullable Secret current);

    /**
     * Makes the next credential from the current one (for example the same user with a new
     * password, or the idle user of an alternating pair). No I/O against the target.
     */
    SecretValue create(RotationContext context, @Nullable Secret current);

    /** Sets {@code pending} on the target, leaving {@code current} working where the strategy promises it. */
    void apply(RotationContext context, @Nullable Secret current, Secret pending);

    /** Proves {@code pending} works against the target. @throws RotationException at {@link Step#VERIFY} */
    void verify(RotationContext context, Secret pending);

    /** Undoes {@link #apply}: {@code current} works and {@code pending} grants nothing. */
    void rollback(RotationContext context, @Nullable Secret current, Secret pending);

    /** Revokes {@code previous} on the target; {@code current} keeps working. */
    void retire(RotationContext context, Secret previous, Secret current);
}
