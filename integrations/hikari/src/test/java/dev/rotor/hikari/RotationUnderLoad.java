package dev.rotor.hikari;

import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.testkit.ForwardingRotator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Application load across rotations: threads run a query nonstop through a pool while the real
 * {@link RotationEngine} rotates the pool's secret with a real rotator at a fixed spacing. It
 * counts failed queries, measures query latency before the rotations (the baseline) and while
 * they run, and asks the database which sessions still use a credential a rotation replaced:
 * 2 s after each rotation (reported) and after each rotation plus the pool's maxLifetime (the
 * guarantee).
 *
 * <p>"Still uses the replaced credential" is decided from the server's own view, through
 * {@link Sessions}: a mark taken just before each APPLY (a server timestamp or connection id),
 * and the user and opening mark of each session. A session of the user a rotation replaced
 * that was opened before that user's password next changed was opened with the replaced
 * password (single-user: the password changes at this rotation's APPLY; alternating: at the
 * next rotation's APPLY, or not yet).
 */
final class RotationUnderLoad {

    /** The database's view of its sessions. */
    interface Sessions {
        /** A mark that orders against session openings: later sessions have a larger opening mark. */
        long mark() throws SQLException;

        /** Sessions of {@code user} now open that were opened before {@code mark}. */
        int openedBefore(String user, long mark) throws SQLException;

        /** The query each worker runs. */
        default String query() {
            return "SELECT 1";
        }
    }

    record Settings(int threads, int rotations, Duration spacing, Duration warmUp, Duration baseline, Duration maxLifetime) {}

    /** One rotation as it happened. */
    record Rotation(int n, String userBefore, String userAfter, long applyMark, long doneNanos) {}

    /** What one run found. Latencies in microseconds. */
    record Result(String name, long baselineQueries, long baselineP50, long baselineP99, long rotationQueries, long rotationP50,
            long rotationP99, long failedQueries, List<String> failures, List<Rotation> rotations, int maxLingeringAfterSpacing,
            List<String> violations, List<String> failedRotations) {

        String summary() {
            return String.format(Locale.ROOT,
                    "[%s] %d rotations; queries: baseline %d (p50 %.2f ms, p99 %.2f ms), across rotations %d (p50 %.2f ms,"
                            + " p99 %.2f ms); failed queries: %d; failed (rolled back) rotation attempts: %d; sessions on a replaced credential: at most %d two seconds after a"
                            + " rotation, %d after a rotation plus maxLifetime",
                    name, rotations.size(), baselineQueries, baselineP50 / 1000.0, baselineP99 / 1000.0, rotationQueries,
                    rotationP50 / 1000.0, rotationP99 / 1000.0, failedQueries, failedRotations.size(), maxLingeringAfterSpacing, violations.size());
        }
    }

    private enum Phase { WARM_UP, BASELINE, ROTATION, TAIL }

    private final String name;
    private final DataSource pool;
    private final SecretStore backend;
    private final String path;
    private final RotationEngine engine;
    private final Rotator rotator;
    private final Sessions sessions;
    private final Settings settings;

    private volatile Phase phase = Phase.WARM_UP;
    private volatile boolean stop;
    private volatile long applyMark;
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> failedRotations = new CopyOnWriteArrayList<>();
    private final List<Rotation> rotations = new CopyOnWriteArrayList<>();
    private volatile int maxLingering;

    RotationUnderLoad(String name, DataSource pool, SecretStore backend, String path, RotationEngine engine, Rotator rotator,
            Sessions sessions, Settings settings) {
        this.name = name;
        this.pool = pool;
        this.backend = backend;
        this.path = path;
        this.engine = engine;
        this.rotator = new MarkingRotator(rotator);
        this.sessions = sessions;
        this.settings = settings;
    }

    Result run() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(settings.threads());
        ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor();
        List<Worker> all = new ArrayList<>();
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < settings.threads(); i++) {
                Worker w = new Worker();
                all.add(w);
                running.add(workers.submit(w));
            }
            pace(System.nanoTime() + settings.warmUp().toNanos());
            phase = Phase.BASELINE;
            pace(System.nanoTime() + settings.baseline().toNanos());
            phase = Phase.ROTATION;
            // Each rotation starts one spacing after the one before; a machine that stalls delays
            // the rest rather than bunching them. A rotation that fails (a VERIFY login timing out
            // on a starved machine, say) must have been rolled back, and another is made, so that
            // the run has its full count of successful rotations; the failures are reported.
            long next = System.nanoTime();
            for (int attempt = 1; rotations.size() < settings.rotations() && attempt <= settings.rotations() + 5; attempt++) {
                pace(next);
                next = System.nanoTime() + settings.spacing().toNanos();
                if (!rotations.isEmpty()) {
                    lingering(rotations.get(rotations.size() - 1));
                    retireDue();
                }
                Rotation r = rotate(rotations.size() + 1);
                if (r != null) {
                    long due = r.doneNanos() + settings.maxLifetime().toNanos() + Duration.ofSeconds(1).toNanos();
                    checks.schedule(() -> afterMaxLifetime(r), due - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
            }
            pace(next);
            if (!rotations.isEmpty()) {
                lingering(rotations.get(rotations.size() - 1));
            }
            phase = Phase.TAIL;
            checks.shutdown();
            if (!checks.awaitTermination(settings.maxLifetime().toSeconds() + 30, TimeUnit.SECONDS)) {
                violations.add("the checks after maxLifetime did not finish");
            }
        } finally {
            stop = true;
            checks.shutdownNow();
            workers.shutdown();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }
        for (Future<?> f : running) {
            f.get();
        }
        long[] baseline = merge(all, Phase.BASELINE);
        long[] rotation = merge(all, Phase.ROTATION);
        return new Result(name, baseline.length, percentile(baseline, 50), percentile(baseline, 99), rotation.length,
                percentile(rotation, 50), percentile(rotation, 99), failed.get(), List.copyOf(failures), List.copyOf(rotations),
                maxLingering, List.copyOf(violations), List.copyOf(failedRotations));
    }

    private @Nullable Rotation rotate(int n) {
        String before = username(backend.get(path, Selector.CURRENT));
        RotationResult result = engine.rotate(path, rotator, RotationRequest.scheduled());
        if (!(result instanceof RotationResult.Succeeded)) {
            failedRotations.add("rotation " + n + ": " + result);
            if (!(result instanceof RotationResult.Failed f && f.rolledBack())) {
                violations.add("rotation " + n + " failed and was not rolled back: " + result);
            }
            return null;
        }
        String after = username(backend.get(path, Selector.CURRENT));
        Rotation r = new Rotation(n, before, after, applyMark, System.nanoTime());
        rotations.add(r);
        return r;
    }

    private void retireDue() {
        RotationResult result = engine.retireDue(path, rotator);
        if (result instanceof RotationResult.Failed f) {
            failedRotations.add("retire: " + f);
        }
    }

    /** 2 s after a rotation: how many sessions still use the credential it replaced (reported, not asserted). */
    private void lingering(Rotation r) {
        try {
            int n = sessions.openedBefore(r.userBefore(), endMark(r));
            if (n > maxLingering) {
                maxLingering = n;
            }
        } catch (SQLException e) {
            violations.add("rotation " + r.n() + ": cannot list sessions: " + e.getMessage());
        }
    }

    /** After a rotation plus maxLifetime: no session may use the credential it replaced. */
    private void afterMaxLifetime(Rotation r) {
        try {
            int n = sessions.openedBefore(r.userBefore(), endMark(r));
            if (n != 0) {
                violations.add("rotation " + r.n() + ": " + n + " session(s) of " + r.userBefore()
                        + " still use the replaced credential after maxLifetime");
            }
        } catch (SQLException e) {
            violations.add("rotation " + r.n() + ": cannot list sessions: " + e.getMessage());
        }
    }

    /** Sessions of the replaced user opened before this mark used the replaced password. */
    private long endMark(Rotation r) {
        if (r.userBefore().equals(r.userAfter())) {
            return r.applyMark();
        }
        for (Rotation later : rotations) {
            if (later.n() > r.n() && later.userAfter().equals(r.userBefore())) {
                return later.applyMark();
            }
        }
        return Long.MAX_VALUE;
    }

    private static String username(Secret secret) {
        SecretValue user = secret.value().field("username");
        try {
            return user.asUtf8();
        } finally {
            user.destroy();
        }
    }

    /** Not a wait on a condition: spaces the phases and rotations of the load run out in time. */
    private void pace(long untilNanos) {
        for (long left = untilNanos - System.nanoTime(); left > 0; left = untilNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static long[] merge(List<Worker> workers, Phase phase) {
        int size = 0;
        for (Worker w : workers) {
            size += w.samples(phase).size;
        }
        long[] all = new long[size];
        int at = 0;
        for (Worker w : workers) {
            Samples s = w.samples(phase);
            System.arraycopy(s.values, 0, all, at, s.size);
            at += s.size;
        }
        Arrays.sort(all);
        return all;
    }

    /** Nearest-rank percentile of sorted values, in microseconds. */
    static long percentile(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, rank - 1)] / 1_000;
    }

    private static final class Samples {
        long[] values = new long[1 << 16];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** One application thread: borrow, query, return, as fast as it can. */
    private final class Worker implements Runnable {
        private final Samples baseline = new Samples();
        private final Samples rotation = new Samples();

        Samples samples(Phase p) {
            return p == Phase.BASELINE ? baseline : rotation;
        }

        @Override
        public void run() {
            String sql = sessions.query();
            while (!stop) {
                Phase p = phase;
                long t0 = System.nanoTime();
                try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                } catch (SQLException | RuntimeException e) {
                    failed.incrementAndGet();
                    if (failures.size() < 20) {
                        failures.add(p + ": " + e);
                    }
                    continue;
                }
                long took = System.nanoTime() - t0;
                if (p == Phase.BASELINE) {
                    baseline.add(took);
                } else if (p == Phase.ROTATION) {
                    rotation.add(took);
                }
            }
        }
    }

    /** The real rotator, with a session mark taken just before each APPLY. */
    private final class MarkingRotator extends ForwardingRotator {

        MarkingRotator(Rotator delegate) {
            super(delegate);
        }

        @Override
        public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
            try {
                applyMark = sessions.mark();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot take the session mark: " + e.getMessage(), e);
            }
            super.apply(context, current, pending);
        }
    }
}
