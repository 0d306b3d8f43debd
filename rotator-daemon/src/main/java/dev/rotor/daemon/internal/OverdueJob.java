package dev.rotor.daemon.internal;

import dev.rotor.daemon.RotationService;
import java.util.Objects;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Looks for overdue secrets at the configured interval (on one node of a cluster at a time). */
@DisallowConcurrentExecution
public final class OverdueJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(OverdueJob.class);
    public static final JobKey KEY = JobKey.jobKey("overdue-check", "rotor");

    private final RotationService service;

    public OverdueJob(RotationService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public void execute(JobExecutionContext context) {
        try {
            service.checkOverdue();
        } catch (RuntimeException e) {
            LOG.error("the overdue check failed: {}", e.getClass().getName());
        }
    }
}
