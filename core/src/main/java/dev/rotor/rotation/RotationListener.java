package dev.rotor.rotation;

/**
 * Receives every {@link RotationEvent} of an engine, after it was audited, on the thread that
 * runs the rotation (so keep it short: hand slow work to an executor). A listener that throws a
 * {@link RuntimeException} is logged and skipped; the rotation goes on.
 */
@FunctionalInterface
public interface RotationListener {

    void onEvent(RotationEvent event);
}
