package dev.rotor.store;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the audit layer records accesses. Field paths in problems start with {@code audit.}.
 *
 * @param defaultActor the actor recorded when no {@link dev.rotor.audit.AuditContext} is set,
 *     typically the identity of the process
 * @param hitAudit how cache hits are recorded
 * @param summaryInterval how often {@link HitAudit#SUMMARY} writes its cached-read summaries
 */
public record AuditOptions(String defaultActor, HitAudit hitAudit, Duration summaryInterval) {

    public static final String DEFAULT_ACTOR = "rotor";
    public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofMinutes(1);

    public AuditOptions {
        List<ConfigProblem> problems = new ArrayList<>();
        if (defaultActor == null || defaultActor.isBlank()) {
            problems.add(new ConfigProblem("audit.defaultActor", "is required and must not be blank"));
        }
        if (hitAudit == null) {
            problems.add(new ConfigProblem("audit.hitAudit", "is required (SUMMARY or EACH)"));
        }
        Checks.atLeast(problems, "audit.summaryInterval", summaryInterval, Duration.ofMillis(1));
        InvalidConfigurationException.throwIfAny(problems);
    }

    /** Actor {@code rotor}, hits summarised once a minute. */
    public static AuditOptions defaults() {
        return new AuditOptions(DEFAULT_ACTOR, HitAudit.SUMMARY, DEFAULT_SUMMARY_INTERVAL);
    }

    public AuditOptions withDefaultActor(String actor) {
        return new AuditOptions(actor, hitAudit, summaryInterval);
    }

    public AuditOptions withHitAudit(HitAudit mode) {
        return new AuditOptions(defaultActor, mode, summaryInterval);
    }

    public AuditOptions withSummaryInterval(Duration interval) {
        return new AuditOptions(defaultActor, hitAudit, interval);
    }
}
