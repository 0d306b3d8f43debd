package dev.rotor.kubernetes;

import dev.rotor.RotorException;
import org.jspecify.annotations.Nullable;

/**
 * Writing a secret into Kubernetes, or restarting a Deployment, failed. The message names the
 * verb, the object and the API's status (403 for an RBAC refusal), never a value.
 */
public class KubernetesSyncException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public KubernetesSyncException(String message, int status, @Nullable Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The API server's HTTP status, or 0 if none came back (a connection failure). */
    public int status() {
        return status;
    }

    /** True for a 403: the service account lacks the RBAC rule for this verb. */
    public boolean forbidden() {
        return status == 403;
    }
}
