package dev.rotor.rotation;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks of one rotation.
 *
 * @param emergency RETIRE the old credential right after PROMOTE instead of after the grace period
 * @param reason why the rotation runs, recorded in events and audit; required for an emergency.
 *     Operator text, never a credential; at most {@value #MAX_REASON_LENGTH} characters, one line
 * @param actor who asks, as recorded in audit (a principal name, never a credential)
 */
public record RotationRequest(boolean emergency, @Nullable String reason, String actor) {

    public static final int MAX_REASON_LENGTH = 500;
    /** The actor of scheduled rotations and of runs resumed after a crash. */
    public static final String DEFAULT_ACTOR = "rotor";

    public RotationRequest {
        Objects.requireNonNull(actor, "actor");
        if (actor.isBlank() || actor.length() > 200 || hasLineBreak(actor)) {
            throw new IllegalArgumentException("actor must be 1 to 200 characters on one line");
        }
        if (reason != null) {
            if (reason.length() > MAX_REASON_LENGTH || hasLineBreak(reason)) {
                throw new IllegalArgumentException("reason must be at most " + MAX_REASON_LENGTH + " characters on one line");
            }
            if (reason.isBlank()) {
                reason = null;
            }
        }
        if (emergency && reason == null) {
            throw new IllegalArgumentException("an emergency rotation needs a reason");
        }
    }

    /** A routine rotation (for example one a policy scheduled). */
    public static RotationRequest scheduled() {
        return new RotationRequest(false, "scheduled", DEFAULT_ACTOR);
    }

    /** A routine rotation asked for by {@code actor}. */
    public static RotationRequest routine(String actor, @Nullable String reason) {
        return new RotationRequest(false, reason, actor);
    }

    /** An emergency rotation: the old credential is revoked right after the new one is promoted. */
    public static RotationRequest emergency(String actor, String reason) {
        return new RotationRequest(true, reason, actor);
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }
}
