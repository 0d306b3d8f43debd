package dev.rotor.daemon;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.daemon.internal.HikariConnectionProvider;
import dev.rotor.daemon.internal.OverdueJob;
import dev.rotor.daemon.internal.PolicyJob;
import dev.rotor.daemon.internal.QuartzSchema;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.spi.JobFactory;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rotation daemon: a Quartz scheduler with one job per policy ({@link PolicyJob}) and an
 * overdue check, over a {@link RotationService}.
 *
 * <p>With {@code scheduler.store: ram} the jobs live in memory; since each job reads the last
 * success from the store, a restart loses nothing: every policy runs once at start, works out its
 * plan, and waits for its next run (a rotation missed while down runs at the next window). With
 * {@code store: jdbc} the jobs live in Quartz's clustered JDBC store on PostgreSQL (tables created
 * at start if missing): each trigger fires on one node, and when a node dies another recovers
 * its jobs after {@code checkinInterval} plus Quartz's 7.5 s margin.
 *
 * <p>Lifecycle: {@link #start} registers the jobs and starts the scheduler; {@link #close()}
 * stops taking new work and waits for running rotations (a graceful stop, for SIGTERM).
 * Thread-safe.
 */
public final class RotorDaemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotorDaemon.class);
    private static final String CLUSTER_NAME = "rotor";

    private final RotationService service;
    private final Scheduler scheduler;
    private final @Nullable HikariDataSource pool;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean ready;

    private RotorDaemon(RotationService service, Scheduler scheduler, @Nullable HikariDataSource pool) {
        this.service = service;
        this.scheduler = scheduler;
        this.pool = pool;
    }

    /**
     * Builds the scheduler (creating Quartz's tables if the JDBC store lacks them), registers every
     * policy's job and starts.
     *
     * @param environment where {@code scheduler.jdbc.usernameEnv}/{@code passwordEnv} are looked up
     * @throws InvalidConfigurationException if a named credential is missing
     * @throws DaemonStartException if the scheduler cannot start
     */
    public static RotorDaemon start(RotationService service, Function<String, @Nullable String> environment) {
        Objects.requireNonNull(service, "service");
        SchedulerSettings s = service.config().scheduler();
        HikariDataSource pool = null;
        try {
            Properties p = new Properties();
            p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(s.threads()));
            p.setProperty("org.quartz.threadPool.threadNamePrefix", "rotor-rotation");
            p.setProperty("org.quartz.scheduler.interruptJobsOnShutdownWithWait", "false");
            if (s.store() == SchedulerSettings.Store.JDBC) {
                SchedulerSettings.Jdbc jdbc = Objects.requireNonNull(s.jdbc());
                pool = pool(jdbc, s.threads(), environment);
                QuartzSchema.applyIfMissing(pool, jdbc.tablePrefix());
                String ds = "rotor-" + UUID.randomUUID();
                DBConnectionManager.getInstance().addConnectionProvider(ds, new HikariConnectionProvider(pool));
                p.setProperty("org.quartz.scheduler.instanceName", CLUSTER_NAME);
                p.setProperty("org.quartz.scheduler.instanceId", s.instanceId() == null ? "AUTO" : s.instanceId());
                p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
                p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
                p.setProperty("org.quartz.jobStore.dataSource", ds);
                p.setProperty("org.quartz.jobStore.tablePrefix", jdbc.tablePrefix());
                p.setProperty("org.quartz.jobStore.useProperties", "true");
                p.setProperty("org.quartz.jobStore.isClustered", Boolean.toString(s.clustered()));
                p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(s.checkinInterval().toMillis()));
                p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
                p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
            } else {
                // A unique name: Quartz keeps schedulers in a JVM-wide repository by name.
                p.setProperty("org.quartz.scheduler.instanceName", CLUSTER_NAME + "-" + UUID.randomUUID());
                p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
            }
            StdSchedulerFactory factory = new StdSchedulerFactory(p);
            Scheduler scheduler = factory.getScheduler();
            JobFactory jobs = (bundle, sched) -> {
                Class<?> type = bundle.getJobDetail().getJobClass();
                if (type == PolicyJob.class) {
                    return new PolicyJob(service);
                }
                if (type == OverdueJob.class) {
                    return new OverdueJob(service);
                }
                throw new SchedulerException("unknown job class " + type.getName());
            };
            scheduler.setJobFactory(jobs);
            RotorDaemon daemon = new RotorDaemon(service, scheduler, pool);
            daemon.register();
            scheduler.start();
            daemon.ready = true;
            LOG.info("daemon ready: {} policies, {} job store{}, instance {}", service.config().policies().size(),
                    s.store().name().toLowerCase(java.util.Locale.ROOT), s.clustered() ? " (clustered)" : "",
                    scheduler.getSchedulerInstanceId());
            return daemon;
        } catch (SchedulerException | SQLException e) {
            if (pool != null) {
                pool.close();
            }
            throw new DaemonStartException("the scheduler could not start: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw e;
        }
    }

    private static HikariDataSource pool(SchedulerSettings.Jdbc jdbc, int threads, Function<String, @Nullable String> env) {
        List<ConfigProblem> problems = new ArrayList<>();
        String user = jdbc.usernameEnv() == null ? null : env.apply(jdbc.usernameEnv());
        String password = jdbc.passwordEnv() == null ? null : env.apply(jdbc.passwordEnv());
        if (jdbc.usernameEnv() != null && (user == null || user.isEmpty())) {
            problems.add(new ConfigProblem("scheduler.jdbc.usernameEnv", "environment variable " + jdbc.usernameEnv() + " is not set"));
        }
        if (jdbc.passwordEnv() != null && password == null) {
            problems.add(new ConfigProblem("scheduler.jdbc.passwordEnv", "environment variable " + jdbc.passwordEnv() + " is not set"));
        }
        InvalidConfigurationException.throwIfAny(problems);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("rotor-quartz");
        hc.setJdbcUrl(jdbc.url());
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        // Quartz holds a connection per running job plus its cluster and misfire managers.
        hc.setMaximumPoolSize(Math.max(jdbc.poolSize(), threads + 3));
        hc.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        return new HikariDataSource(hc);
    }

    /**
     * Adds every policy's job with a first trigger, now, where it has none (in one transaction) and
     * removes jobs of policies no longer configured. A job that has its trigger is left as it is:
     * in a cluster another node may be running it.
     */
    private void register() throws SchedulerException {
        Set<JobKey> wanted = new HashSet<>();
        Set<TriggerKey> triggers = scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(PolicyJob.GROUP));
        Instant now = service.clock().instant();
        Map<JobDetail, Set<? extends Trigger>> missing = new LinkedHashMap<>();
        for (Policy policy : service.config().policies()) {
            JobKey key = PolicyJob.jobKey(policy.name());
            wanted.add(key);
            if (!triggers.contains(PolicyJob.triggerKey(policy.name()))) {
                // The job works out the real plan from the store; until then it runs once now.
                missing.put(job(key), Set.of(PolicyJob.trigger(policy.name(), now, 0)));
            }
        }
        if (!missing.isEmpty()) {
            try {
                scheduler.scheduleJobs(missing, false);
            } catch (ObjectAlreadyExistsException e) {
                // Another node registered some of them meanwhile: go one by one.
                for (Map.Entry<JobDetail, Set<? extends Trigger>> m : missing.entrySet()) {
                    scheduler.addJob(m.getKey(), true);
                    if (!scheduler.checkExists(PolicyJob.triggerKey(m.getKey().getKey().getName()))) {
                        try {
                            scheduler.scheduleJob(m.getValue().iterator().next());
                        } catch (ObjectAlreadyExistsException again) {
                            LOG.debug("policy {} was scheduled by another node meanwhile", m.getKey().getKey().getName());
                        }
                    }
                }
            }
        }
        for (JobKey existing : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(PolicyJob.GROUP))) {
            if (!wanted.contains(existing)) {
                LOG.info("removing the job of policy {}, which is no longer configured", existing.getName());
                scheduler.deleteJob(existing);
            }
        }
        JobDetail overdue = JobBuilder.newJob(OverdueJob.class).withIdentity(OverdueJob.KEY).storeDurably().build();
        scheduler.addJob(overdue, true);
        Trigger every = TriggerBuilder.newTrigger().withIdentity(OverdueJob.KEY.getName(), OverdueJob.KEY.getGroup()).forJob(OverdueJob.KEY)
                .startNow().withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(service.config().scheduler().overdueCheck().toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
        if (scheduler.rescheduleJob(every.getKey(), every) == null) {
            try {
                scheduler.scheduleJob(every);
            } catch (ObjectAlreadyExistsException e) {
                LOG.debug("the overdue check was scheduled by another node meanwhile");
            }
        }
    }

    private static JobDetail job(JobKey key) {
        return JobBuilder.newJob(PolicyJob.class).withIdentity(key).storeDurably().requestRecovery()
                .withDescription("rotation policy " + key.getName()).build();
    }

    public RotationService service() {
        return service;
    }

    /** Whether the scheduler runs (for readiness probes). */
    public boolean ready() {
        return ready && !closed.get();
    }

    /** This node's Quartz instance id (in a cluster, unique per node). */
    public String instanceId() {
        try {
            return scheduler.getSchedulerInstanceId();
        } catch (SchedulerException e) {
            return "unknown";
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops taking new work, waits for running rotations, closes the scheduler's pool. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ready = false;
        try {
            LOG.info("daemon stopping: waiting for running rotations");
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("scheduler shutdown failed: {}", e.getClass().getName());
        } finally {
            if (pool != null) {
                pool.close();
            }
            stopped.countDown();
            LOG.info("daemon stopped");
        }
    }
}
