package dev.rotor.examples;

import com.zaxxer.hikari.HikariConfig;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.hikari.RotatingDataSource;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotator.postgres.AdminCredentials;
import dev.rotor.rotator.postgres.PostgresPasswordRotator;
import dev.rotor.rotator.postgres.PostgresRotatorSettings;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.DecoratedSecretStore;
import dev.rotor.store.SecretStoreBuilder;
import dev.rotor.watch.SecretWatcher;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A HikariCP application under load while its database password rotates underneath it, on one
 * machine with nothing installed: an embedded PostgreSQL, a {@link RotatingDataSource} (pool of
 * 10) reading its credentials through a cached store and following them with a
 * {@link SecretWatcher}, 4 threads querying nonstop, and the {@link RotationEngine} with the
 * PostgreSQL rotator changing the password every few seconds.
 *
 * <p>Usage: {@code PoolUnderRotation [seconds] [rotation interval in seconds] [single-user|alternating]}
 * (defaults 30, 3, single-user). Prints each rotation and, at the end, the query count, the
 * failed-query count and the query latency; never a password. Exits 1 if a query or a rotation
 * failed.
 */
public final class PoolUnderRotation {

    private static final SecretRef REF = SecretRef.parse("secret://main/db/app");

    private final PrintStream out;
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<long[]> latencies = new ArrayList<>();
    private volatile boolean stop;

    private PoolUnderRotation(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 3) {
            System.err.println("usage: PoolUnderRotation [seconds] [rotation interval in seconds] [single-user|alternating]");
            System.exit(2);
        }
        Duration runFor = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 30);
        Duration every = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
        boolean alternating = args.length > 2 && args[2].equals("alternating");
        if (args.length > 2 && !alternating && !args[2].equals("single-user")) {
            System.err.println("strategy must be single-user or alternating, not " + args[2]);
            System.exit(2);
        }
        boolean ok = new PoolUnderRotation(System.out).run(runFor, every, alternating);
        System.exit(ok ? 0 : 1);
    }

    private boolean run(Duration runFor, Duration every, boolean alternating) throws Exception {
        Path work = Files.createTempDirectory("rotor-pool-demo");
        out.printf("==> Start an embedded PostgreSQL (logins need a password, SCRAM-SHA-256)%n");
        try (DemoDatabase pg = DemoDatabase.start(work.resolve("postgres.log"))) {
            String url = pg.url();
            String adminPassword = pg.adminPassword();
            String appPassword = pg.appPassword();

            // The backend the rotation writes to, and the cached view the application reads.
            InMemorySecretStore backend = new InMemorySecretStore("main");
            backend.put(REF.path(), SecretValue.ofFields(Map.of("username", "app_a", "password", appPassword)), PutOptions.current());
            DecoratedSecretStore app = SecretStoreBuilder.on(backend).cache(CacheOptions.defaults()).build();

            PostgresRotatorSettings.Builder settings = PostgresRotatorSettings.builder().host("127.0.0.1").port(pg.port())
                    .database("postgres");
            settings = alternating ? settings.alternating("app_a", "app_b") : settings.singleUser("app_a");
            RotationEngine engine = RotationEngine.builder(backend)
                    .options(RotationOptions.defaults().withGracePeriod(every.dividedBy(2)))
                    .holder("pool-demo")
                    .build();
            HikariConfig pool = new HikariConfig();
            pool.setPoolName("orders");
            pool.setJdbcUrl(url);
            pool.setMaximumPoolSize(10);
            pool.setMinimumIdle(10);
            pool.setMaxLifetime(Duration.ofSeconds(30).toMillis());
            pool.setKeepaliveTime(0);
            pool.setConnectionTimeout(5_000);

            out.printf("==> A pool of 10 whose credentials come from %s, 4 threads querying nonstop,%n", REF);
            out.printf("    and %s password rotations every %d s for %d s%n", alternating ? "alternating-users" : "single-user",
                    every.toSeconds(), runFor.toSeconds());
            try (SecretWatcher watcher = SecretWatcher.builder(name -> app).pollInterval(Duration.ofMillis(250)).build();
                    RotatingDataSource ds = RotatingDataSource.builder()
                            .credentials(REF, app)
                            .pool(pool)
                            .watcher(watcher)
                            .build();
                    PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings.build(),
                            AdminCredentials.of("rotor_admin", SecretValue.ofUtf8(adminPassword)))) {
                return load(ds, backend, engine, rotator, runFor, every);
            } finally {
                app.close();
            }
        }
    }

    private boolean load(RotatingDataSource ds, InMemorySecretStore backend, RotationEngine engine, PostgresPasswordRotator rotator,
            Duration runFor, Duration every) throws Exception {
        int threads = 4;
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        for (int i = 0; i < threads; i++) {
            long[] samples = new long[1 << 19];
            latencies.add(samples);
            workers.submit(() -> query(ds, samples));
        }
        int rotations = 0;
        int failedRotations = 0;
        long start = System.nanoTime();
        long end = start + runFor.toNanos();
        for (long next = start + every.toNanos(); next < end; next += every.toNanos()) {
            LockSupport.parkNanos(next - System.nanoTime());
            String before = version(backend);
            long t0 = System.nanoTime();
            RotationResult result = engine.rotate(REF.path(), rotator, RotationRequest.scheduled());
            long took = (System.nanoTime() - t0) / 1_000_000;
            engine.retireDue(REF.path(), rotator);
            if (result instanceof RotationResult.Succeeded s) {
                rotations++;
                out.printf("rotation %2d: version %s -> %s in %d ms; %d queries so far, %d failed%n", rotations, before,
                        s.currentVersionId(), took, queries.get(), failed.get());
            } else {
                failedRotations++;
                out.printf("rotation failed: %s%n", result);
            }
        }
        LockSupport.parkNanos(end - System.nanoTime());
        stop = true;
        workers.shutdown();
        workers.awaitTermination(30, TimeUnit.SECONDS);
        long[] all = merged();
        out.printf("==> %d rotations (%d failed); the pool is on version %s of %s%n", rotations, failedRotations, ds.credentialVersion(), REF);
        out.printf(Locale.ROOT, "%d queries, %d failed queries; latency p50 %.2f ms, p99 %.2f ms%n", queries.get(), failed.get(),
                percentile(all, 50), percentile(all, 99));
        return failed.get() == 0 && failedRotations == 0 && rotations > 0;
    }

    private void query(RotatingDataSource ds, long[] samples) {
        int n = 0;
        while (!stop) {
            long t0 = System.nanoTime();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                queries.incrementAndGet();
                if (n < samples.length) {
                    samples[n++] = System.nanoTime() - t0;
                }
            } catch (SQLException e) {
                failed.incrementAndGet();
                // the driver's message names the user at most, never a password
                out.printf("query failed: SQLSTATE %s: %s%n", e.getSQLState(), e.getMessage());
            }
        }
    }

    private long[] merged() {
        return latencies.stream().flatMapToLong(a -> Arrays.stream(a).filter(v -> v > 0)).sorted().toArray();
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    private static String version(InMemorySecretStore store) {
        Secret s = store.get(REF.path(), Selector.CURRENT);
        return s.version().id();
    }
}
