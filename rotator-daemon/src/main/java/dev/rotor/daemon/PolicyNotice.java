package dev.rotor.daemon;

import dev.rotor.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the daemon tells a {@link PolicyNoticeListener} about a policy's secret, for alerting: a
 * failed attempt, an overdue secret, a rotation done in time (which resolves an overdue or failed
 * notice), an emergency rotation. Notices carry refs, version ids, steps and operator text, never
 * a credential.
 */
public sealed interface PolicyNotice {

    String policy();

    SecretRef ref();

    /** The alert routes of the policy. */
    List<String> alertRoutes();

    Instant time();

    /** A rotation attempt failed. @param retryAt when it will be tried again inside the window, if it will */
    record Failed(String policy, SecretRef ref, List<String> alertRoutes, Instant time, String runId, String step, String error,
            @Nullable Instant retryAt) implements PolicyNotice {
        public Failed {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(ref, "ref");
            alertRoutes = List.copyOf(alertRoutes);
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(error, "error");
        }
    }

    /** No successful rotation by the deadline. @param lastSuccess the last success, if any */
    record Overdue(String policy, SecretRef ref, List<String> alertRoutes, Instant time, @Nullable Instant lastSuccess, Instant due,
            Instant deadline) implements PolicyNotice {
        public Overdue {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(ref, "ref");
            alertRoutes = List.copyOf(alertRoutes);
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(due, "due");
            Objects.requireNonNull(deadline, "deadline");
        }
    }

    /** A rotation succeeded. @param wasOverdue whether it came after its deadline */
    record Rotated(String policy, SecretRef ref, List<String> alertRoutes, Instant time, String runId, String currentVersionId,
            boolean wasOverdue) implements PolicyNotice {
        public Rotated {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(ref, "ref");
            alertRoutes = List.copyOf(alertRoutes);
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(currentVersionId, "currentVersionId");
        }
    }

    /** An emergency rotation ran (critical). @param succeeded whether it did, and retired the old credential */
    record Emergency(String policy, SecretRef ref, List<String> alertRoutes, Instant time, String runId, String actor, String reason,
            boolean succeeded, boolean previousRetired) implements PolicyNotice {
        public Emergency {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(ref, "ref");
            alertRoutes = List.copyOf(alertRoutes);
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
