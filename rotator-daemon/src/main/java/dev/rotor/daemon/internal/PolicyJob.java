package dev.rotor.daemon.internal;

import dev.rotor.daemon.Policy;
import dev.rotor.daemon.RotationService;
import dev.rotor.daemon.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz job of one policy: does what is due for each of its secrets, then moves the policy's
 * one trigger to the earliest next run (a due time, the end of a grace period when PREVIOUS is to
 * be retired, a retry inside the window, or the end of another node's lease). Never runs twice at once for one policy, on any node.
 */
@DisallowConcurrentExecution
public final class PolicyJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyJob.class);
    public static final String GROUP = "rotor-policies";
    public static final String ATTEMPT = "attempt";
    /** How soon a policy whose secrets are all held by other runs looks again, at the least. */
    private static final Duration MIN_DELAY = Duration.ofSeconds(1);

    private final RotationService service;

    public PolicyJob(RotationService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    public static JobKey jobKey(String policy) {
        return JobKey.jobKey(policy, GROUP);
    }

    public static TriggerKey triggerKey(String policy) {
        return TriggerKey.triggerKey(policy, GROUP);
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        String name = context.getJobDetail().getKey().getName();
        Policy policy = service.config().policy(name).orElse(null);
        if (policy == null) {
            LOG.warn("job {} has no policy in this node's configuration; leaving it to a node that has", name);
            return;
        }
        int attempt = context.getTrigger().getJobDataMap().containsKey(ATTEMPT)
                ? Integer.parseInt(context.getTrigger().getJobDataMap().getString(ATTEMPT)) : 0;
        Instant next = null;
        boolean retrying = false;
        try {
            List<RotationService.Target> targets = service.targets(policy);
            for (RotationService.Target t : targets) {
                RotationService.DueResult r;
                try {
                    r = service.runDue(t, attempt, true);
                } catch (RuntimeException e) {
                    LOG.error("policy {}: {} failed: {}", name, t.ref(), e.getClass().getName());
                    next = earliest(next, service.clock().instant().plus(service.config().scheduler().retryInitial()));
                    continue;
                }
                Instant candidate;
                if (r.busyUntil() != null) {
                    candidate = r.busyUntil();
                } else if (r.retryAt() != null) {
                    candidate = r.retryAt();
                    retrying = true;
                } else if (r.failed()) {
                    candidate = nextOpeningAfterThis(policy.window(), service.clock().instant());
                } else {
                    candidate = r.plan().runAt();
                }
                next = earliest(next, candidate);
                Instant retireAt = service.retireAt(t);
                if (retireAt != null) {
                    // A retirement that is already late (it failed, or the target was busy) waits a backoff step.
                    Instant now = service.clock().instant();
                    next = earliest(next, retireAt.isAfter(now) ? retireAt : now.plus(service.config().scheduler().retryInitial()));
                }
            }
            if (targets.isEmpty()) {
                next = service.clock().instant().plus(service.config().scheduler().overdueCheck());
            }
        } catch (RuntimeException e) {
            // Listing a selector's store failed: try again after the first backoff step.
            LOG.error("policy {}: could not list its secrets: {}", name, e.getClass().getName());
            next = service.clock().instant().plus(service.config().scheduler().retryInitial());
        }
        Instant floor = service.clock().instant().plus(MIN_DELAY);
        if (next == null || next.isBefore(floor)) {
            next = floor;
        }
        try {
            schedule(context.getScheduler(), name, next, retrying ? attempt + 1 : 0);
        } catch (SchedulerException e) {
            throw new JobExecutionException("could not schedule the next run of policy " + name, e, false);
        }
    }

    /** Points the policy's trigger at {@code at}, creating it if the run came from a recovery trigger. */
    public static void schedule(Scheduler scheduler, String policy, Instant at, int attempt) throws SchedulerException {
        Trigger trigger = trigger(policy, at, attempt);
        if (scheduler.rescheduleJob(trigger.getKey(), trigger) == null) {
            try {
                scheduler.scheduleJob(trigger);
            } catch (ObjectAlreadyExistsException e) {
                scheduler.rescheduleJob(trigger.getKey(), trigger);
            }
        }
    }

    /** The policy's one trigger, firing once at {@code at}. */
    public static Trigger trigger(String policy, Instant at, int attempt) {
        return TriggerBuilder.newTrigger().withIdentity(triggerKey(policy)).forJob(jobKey(policy))
                .startAt(Date.from(at)).usingJobData(ATTEMPT, Integer.toString(attempt))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
    }

    private static Instant nextOpeningAfterThis(Window window, Instant now) {
        Window.Opening current = window.openingAtOrAfter(now);
        return window.openingAtOrAfter(current.contains(now) ? current.closes() : now).opens();
    }

    private static Instant earliest(@Nullable Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
