package dev.rotor.api;

import dev.rotor.SecretRef;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import java.util.List;
import java.util.Optional;

/**
 * What the admin API asks of the daemon. The daemon implements it; the API never reaches a
 * store or a rotator by any other way.
 *
 * <p>Implementations are thread-safe: requests call it concurrently, each on its own (virtual)
 * thread. An unchecked exception other than the ones named below answers 500 with a generic
 * message; its text never reaches the client.
 */
public interface AdminService {

    /** Liveness: is the process working at all. Cheap; must not call remote systems. */
    HealthReport health();

    /** Readiness: may the daemon take work (stores open, scheduler started). */
    HealthReport readiness();

    /** The managed secrets' metadata. Never values. */
    List<SecretSummary> secrets();

    /** The most recent rotation runs, newest first, at most {@code limit} of them. */
    List<RunSummary> runs(int limit);

    /**
     * Rotates {@code ref} now. The API calls it inside {@link dev.rotor.audit.AuditContext#callAs}
     * with the caller's name and the request id, and {@code request.actor()} is the caller's name.
     *
     * @throws dev.rotor.rotation.RotationInProgressException another run holds the secret (answered 409)
     * @throws dev.rotor.SecretNotFoundException no such secret, or no rotator manages it (answered 404)
     */
    RotationResult rotate(SecretRef ref, RotationRequest request);

    /**
     * The public JWK set of the managed signing keys, as JSON ({@code {"keys":[...]}}), or empty
     * when the daemon manages none (answered 404). Public keys only.
     */
    default Optional<String> jwks() {
        return Optional.empty();
    }
}
