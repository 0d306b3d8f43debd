package dev.rotor.examples;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.daemon.DaemonConfig;
import dev.rotor.daemon.DaemonRuntime;
import dev.rotor.daemon.RotatorRegistry;
import dev.rotor.daemon.RotorDaemon;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.spi.ProviderRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The rotation daemon at work, on one machine with nothing installed: an embedded PostgreSQL, the
 * local encrypted store, and {@link RotorDaemon} running three policies on intervals of seconds (a
 * database password, a signing key, an API key) while an application loop keeps querying the
 * database with the CURRENT credential, switching to the new one when a rotation promotes it.
 *
 * <p>Usage: {@code DaemonDemo <work dir> [seconds]}. The work dir must hold {@code master.key}
 * (made by {@code rotor keygen}); the demo writes {@code rotor.yaml}, the store and the audit log
 * there, so {@code rotor status} and {@code rotor audit verify} can be run on them afterwards.
 * Prints each rotation as it happens and never a secret value. Exits 1 if a query failed, a
 * rotation failed, a policy rotated fewer than twice, or a retired password still logged in.
 */
public final class DaemonDemo {

    private static final SecretRef DB = SecretRef.parse("secret://main/db/app");

    private final Path dir;
    private final PrintStream out;
    private final long started = System.nanoTime();
    private final Map<String, AtomicInteger> rotations = new ConcurrentHashMap<>();
    private final AtomicInteger failedRotations = new AtomicInteger();
    private final AtomicBoolean dbRotated = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> retiredDbVersions = new ConcurrentLinkedQueue<>();

    private DaemonDemo(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: DaemonDemo <work dir> [seconds]");
            System.exit(2);
        }
        Duration runFor = Duration.ofSeconds(args.length == 2 ? Long.parseLong(args[1]) : 60);
        boolean ok = new DaemonDemo(Path.of(args[0]).toAbsolutePath(), System.out).run(runFor);
        System.exit(ok ? 0 : 1);
    }

    private boolean run(Duration runFor) throws Exception {
        if (!Files.isRegularFile(dir.resolve("master.key"))) {
            throw new IllegalStateException(dir.resolve("master.key") + " is missing: run 'rotor keygen --out master.key' there first");
        }
        step("Start an embedded PostgreSQL (logins need a password, SCRAM-SHA-256)");
        // The group role owns the demo's table.
        try (DemoDatabase pg = DemoDatabase.start(dir.resolve("postgres.log"),
                "CREATE TABLE orders (id bigserial PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT now())",
                "ALTER TABLE orders OWNER TO app")) {
            out.printf("PostgreSQL 17 on 127.0.0.1:%d: login roles app_a and app_b (members of group 'app'), admin role rotor_admin%n",
                    pg.port());

            step("Write rotor.yaml: the local store, the audit log, three rotators and three policies");
            Path config = dir.resolve("rotor.yaml");
            Files.writeString(config, rotorYaml(pg.port()), StandardCharsets.UTF_8);
            out.print(Files.readString(config));

            RotatorRegistry rotators = RotatorRegistry.builtIn();
            ProviderRegistry providers = ProviderRegistry.builder().register(new LocalStoreProvider()).build();
            // Paths in rotor.yaml are relative to the working directory, which the script sets to dir.
            DaemonConfig daemonConfig = DaemonConfig.load(config, rotators);
            try (DaemonRuntime runtime = DaemonRuntime.open(daemonConfig, providers, rotators, Clock.systemUTC(), System::getenv,
                    System.out, new MetricRegistry(), null)) {
                step("Store the admin login and the application's first database credential (app_a)");
                SecretStore main = runtime.rotor().store("main");
                main.put("db/rotor-admin", credential("rotor_admin", pg.adminPassword(), pg.port()), PutOptions.current());
                main.put("db/app", credential("app_a", pg.appPassword(), pg.port()), PutOptions.current());
                out.println("secret://main/db/rotor-admin and secret://main/db/app written (values not shown)");

                runtime.service().addListener(this::onRotationEvent);
                step("Start the daemon and the application; run for " + runFor.toSeconds() + " s");
                App app = new App(runtime);
                Thread appThread = Thread.ofPlatform().name("demo-app").start(app);
                try (RotorDaemon daemon = RotorDaemon.start(runtime.service(), System::getenv)) {
                    out.printf("%s daemon ready: %d policies, instance %s%n", elapsed(), daemonConfig.policies().size(),
                            daemon.instanceId());
                    long end = System.nanoTime() + runFor.toNanos();
                    // The demo's own deadline: the rotations happen on the daemon's threads meanwhile.
                    while (System.nanoTime() < end && appThread.isAlive()) {
                        Thread.sleep(200);
                    }
                    step("Stop the daemon (it waits for a running rotation) and the application");
                }
                app.stop();
                appThread.join();
                return summary(app);
            }
        }
    }

    static String rotorYaml(int port) {
        return """
                # The Rotor quickstart. Intervals are seconds here so that a minute shows several
                # rotations; real policies use the defaults: 90 days for database passwords and
                # signing keys, 180 days for API keys and client secrets.
                actor: quickstart-daemon
                stores:
                  main: { type: local, path: ./store, keyFile: ./master.key }
                audit:
                  file: ./audit.jsonl
                rotators:
                  app-db:                            # two login roles taking turns: CURRENT never stops working
                    type: postgres-password
                    host: 127.0.0.1
                    port: %d
                    database: postgres
                    strategy: alternating
                    roles: [app_a, app_b]
                    groupRole: app
                    admin: { secret: secret://main/db/rotor-admin }
                  token-signing:                     # a private JWK set; its JWKS is published at keys/jwks
                    type: signing-keys
                    algorithm: ES256
                    jwksCacheTtl: 5s                 # real: how long verifiers cache the JWKS, e.g. 1h
                    maxTokenLifetime: 5s             # real: the longest token lifetime, e.g. 1h
                    jwksStore: main
                    jwksPath: keys/jwks
                  partner-api-key:                   # an API key; verifiers check it against published hashes
                    type: random-secret
                    prefix: rk_demo_
                    length: 32
                    alphabet: alphanumeric
                    verifierStore: main
                    verifierPath: api/partner-key-verifier
                scheduler:
                  threads: 2
                  retry: { initial: 2s, max: 10s }
                  overdueCheck: 5s
                  overdueSlack: 30s
                policies:
                  - name: app-db
                    ref: secret://main/db/app
                    rotator: app-db
                    interval: 15s                    # real: 90d (the default)
                    grace: 5s                        # real: 24h; PREVIOUS keeps working this long
                  - name: token-signing
                    ref: secret://main/keys/signing
                    rotator: token-signing
                    interval: 20s                    # real: 90d (the default)
                    grace: 5s
                  - name: partner-api-key
                    ref: secret://main/api/partner-key
                    rotator: partner-api-key
                    interval: 25s                    # real: 180d (the default)
                    grace: 5s
                """.formatted(port);
    }

    /** Runs on the daemon's rotation threads, after each event was audited. */
    private void onRotationEvent(RotationEvent event) {
        String ref = event.ref().toString();
        switch (event) {
            case RotationEvent.Started s when s.resumedAt() != null ->
                    out.printf("%s resume   %s at %s%n", elapsed(), ref, s.resumedAt());
            case RotationEvent.Succeeded s -> {
                rotations.computeIfAbsent(ref, k -> new AtomicInteger()).incrementAndGet();
                out.printf("%s rotated  %-32s version %s -> %s (%s)%n", elapsed(), ref,
                        s.previousVersionId() == null ? "none" : s.previousVersionId(), s.currentVersionId(), s.rotatorType());
                if (event.ref().equals(DB)) {
                    dbRotated.set(true);
                }
            }
            case RotationEvent.Retired r -> {
                out.printf("%s retired  %-32s version %s (%s)%n", elapsed(), ref, r.retiredVersionId(), r.why());
                if (event.ref().equals(DB)) {
                    retiredDbVersions.add(r.retiredVersionId());
                }
            }
            case RotationEvent.Failed f -> {
                failedRotations.incrementAndGet();
                out.printf("%s FAILED   %-32s at %s: %s%n", elapsed(), ref, f.step(), f.error());
            }
            case RotationEvent.RolledBack b -> out.printf("%s rolled back %s at %s: %s%n", elapsed(), ref, b.step(), b.why());
            default -> {
                // Started and StepCompleted: too detailed for the demo; the audit log has them.
            }
        }
    }

    private boolean summary(App app) {
        step("Summary");
        boolean ok = true;
        out.printf("application: %d queries, %d failed; it switched credentials %d times; %d retired passwords checked, %d still logged in%n",
                app.queries.get(), app.failed.get(), app.switches.get(), app.retiredChecked.get(), app.retiredAccepted.get());
        for (String ref : new String[] {DB.toString(), "secret://main/keys/signing", "secret://main/api/partner-key"}) {
            int n = rotations.getOrDefault(ref, new AtomicInteger()).get();
            out.printf("%-32s %d rotations%n", ref, n);
            if (n < 2) {
                out.printf("FAIL: %s rotated %d times, expected at least 2%n", ref, n);
                ok = false;
            }
        }
        if (app.failed.get() > 0) {
            out.printf("FAIL: %d queries failed%n", app.failed.get());
            ok = false;
        }
        if (failedRotations.get() > 0) {
            out.printf("FAIL: %d rotations failed%n", failedRotations.get());
            ok = false;
        }
        if (app.retiredAccepted.get() > 0) {
            out.printf("FAIL: %d retired passwords still logged in%n", app.retiredAccepted.get());
            ok = false;
        }
        out.println(ok ? "demo: ok" : "demo: FAILED");
        return ok;
    }

    /**
     * The application: one query every 100 ms through a connection pool opened with the CURRENT
     * credential. After a rotation it reads CURRENT again and moves to a new pool; when the daemon
     * retires a version, it checks that version's password no longer logs in.
     */
    private final class App implements Runnable {

        private final DaemonRuntime runtime;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong queries = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicInteger switches = new AtomicInteger();
        final AtomicInteger retiredChecked = new AtomicInteger();
        final AtomicInteger retiredAccepted = new AtomicInteger();
        // The credentials this application has used, by version id, to check them once retired.
        private final Map<String, String[]> used = new LinkedHashMap<>();
        private @Nullable HikariDataSource pool;
        private @Nullable String version;

        App(DaemonRuntime runtime) {
            this.runtime = runtime;
        }

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    if (pool == null || dbRotated.getAndSet(false)) {
                        reload();
                    }
                    query();
                    checkRetired();
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (pool != null) {
                    pool.close();
                }
            }
        }

        private void reload() {
            Secret current = runtime.rotor().get(DB);
            if (current.version().id().equals(version)) {
                return;
            }
            String user = current.value().field("username").asUtf8();
            String password = current.value().field("password").asUtf8();
            String host = current.value().field("host").asUtf8();
            String port = current.value().field("port").asUtf8();
            String db = current.value().field("dbname").asUtf8();
            HikariConfig hc = new HikariConfig();
            hc.setPoolName("app-" + current.version().id());
            hc.setJdbcUrl("jdbc:postgresql://" + host + ":" + port + "/" + db);
            hc.setUsername(user);
            hc.setPassword(password);
            hc.setMaximumPoolSize(2);
            hc.setInitializationFailTimeout(-1);
            HikariDataSource old = pool;
            pool = new HikariDataSource(hc);
            used.put(current.version().id(), new String[] {user, password, hc.getJdbcUrl()});
            if (old != null) {
                switches.incrementAndGet();
                out.printf("%s app      now connects as %s (version %s); %d queries so far, %d failed%n", elapsed(), user,
                        current.version().id(), queries.get(), failed.get());
                old.close();
            } else {
                out.printf("%s app      connects as %s (version %s)%n", elapsed(), user, current.version().id());
            }
            version = current.version().id();
        }

        private void query() {
            queries.incrementAndGet();
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders DEFAULT VALUES");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                    rs.next();
                }
            } catch (SQLException e) {
                failed.incrementAndGet();
                // The SQLSTATE only: a driver message may quote a statement or a login.
                out.printf("%s app      query FAILED as version %s: SQLSTATE %s (%s)%n", elapsed(), version, e.getSQLState(),
                        e.getClass().getSimpleName());
                dbRotated.set(true);
            }
        }

        private void checkRetired() {
            String retired;
            while ((retired = retiredDbVersions.poll()) != null) {
                String[] login = used.get(retired);
                if (login == null) {
                    continue;
                }
                retiredChecked.incrementAndGet();
                boolean accepted = DemoDatabase.canLogin(login[2], login[0], login[1]);
                if (accepted) {
                    retiredAccepted.incrementAndGet();
                }
                out.printf("%s app      the retired password of %s (version %s) %s%n", elapsed(), login[0], retired,
                        accepted ? "STILL LOGS IN" : "is refused");
            }
        }
    }

    private static SecretValue credential(String user, String password, int port) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("username", user);
        fields.put("password", password);
        fields.put("host", "127.0.0.1");
        fields.put("port", Integer.toString(port));
        fields.put("dbname", "postgres");
        return SecretValue.ofFields(fields);
    }

    private void step(String text) {
        out.printf("%n==> %s%n", text);
    }

    private String elapsed() {
        return String.format("[%5.1fs]", (System.nanoTime() - started) / 1e9);
    }
}
