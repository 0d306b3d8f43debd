package dev.rotor.hikari;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.Rotator;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.DecoratedSecretStore;
import dev.rotor.store.SecretStoreBuilder;
import dev.rotor.watch.SecretWatcher;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The zero-downtime case shared by the PostgreSQL and MariaDB integration tests: a
 * {@link RotatingDataSource} (pool of 10, maxLifetime 30 s, the least HikariCP allows) reading
 * its secret through a cached store and following it with a {@link SecretWatcher}, 4 threads
 * querying nonstop, and 30 rotations 2 s apart by the real {@link RotationEngine} writing to the
 * backend behind that cache. The counts can be lowered for a quick local run with
 * {@code -Drotor.it.rotations=N}.
 */
abstract class PoolAcrossRotationSupport {

    static final String PATH = "db/app";
    static final int POOL_SIZE = 10;
    /**
     * The rotators' connect timeout: generous, because 2 cores are shared by two database
     * servers and 8 query threads running flat out (and, on a shared machine, by whatever else
     * runs), and a VERIFY login that times out fails the rotation (rolled back: safe, but not
     * what this test is about).
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    static final RotationUnderLoad.Settings SETTINGS = new RotationUnderLoad.Settings(
            4,
            Integer.getInteger("rotor.it.rotations", 30),
            Duration.ofSeconds(2),
            Duration.ofSeconds(3),
            Duration.ofSeconds(Long.getLong("rotor.it.baselineSeconds", 10)),
            Duration.ofSeconds(30));

    static String password() {
        return "Init-" + UUID.randomUUID();
    }

    /**
     * Runs the case and checks what zero downtime means: every rotation succeeded, no query
     * failed, and after each rotation plus maxLifetime no session uses the credential it replaced.
     */
    static RotationUnderLoad.Result run(String name, String jdbcUrl, String user, String password, Rotator rotator,
            RotationUnderLoad.Sessions sessions) throws Exception {
        InMemorySecretStore backend = new InMemorySecretStore("main");
        backend.put(PATH, SecretValue.ofFields(Map.of("username", user, "password", password)), PutOptions.current());
        // The application reads through a cache, as it would in production; the rotation writes to the backend.
        DecoratedSecretStore app = SecretStoreBuilder.on(backend).cache(CacheOptions.defaults()).build();
        MetricRegistry registry = new MetricRegistry();
        HikariConfig pool = new HikariConfig();
        pool.setPoolName(name);
        pool.setJdbcUrl(jdbcUrl);
        pool.setMaximumPoolSize(POOL_SIZE);
        pool.setMinimumIdle(POOL_SIZE);
        pool.setMaxLifetime(SETTINGS.maxLifetime().toMillis());
        pool.setKeepaliveTime(0);
        // HikariCP's default: a query fails if no connection comes within 30 s.
        pool.setConnectionTimeout(30_000);
        RotationEngine engine = RotationEngine.builder(backend)
                // RETIRE is due 1 s after each promotion: alternating users lose the old login before the next rotation.
                .options(RotationOptions.defaults().withGracePeriod(Duration.ofSeconds(1)).withLeaseDuration(Duration.ofMinutes(1)))
                .holder(name)
                .build();
        try (SecretWatcher watcher = SecretWatcher.builder(store -> app).pollInterval(Duration.ofMillis(200)).build();
                RotatingDataSource ds = RotatingDataSource.builder()
                        .credentials(SecretRef.of("main", PATH), app)
                        .pool(pool)
                        .watcher(watcher)
                        .metricRegistry(registry)
                        .build()) {
            RotationUnderLoad.Result result = new RotationUnderLoad(name, ds, backend, PATH, engine, rotator, sessions, SETTINGS).run();
            Map<String, Long> counters = new TreeMap<>();
            registry.getCounters().forEach((n, c) -> counters.put(n.substring(n.lastIndexOf('.') + 1), c.getCount()));
            System.out.println(result.summary());
            System.out.println("[" + name + "] pool counters: " + counters);

            assertThat(result.rotations()).as("successful rotations; failed attempts: %s", result.failedRotations())
                    .hasSize(SETTINGS.rotations());
            assertThat(result.failures()).as("failed queries").isEmpty();
            assertThat(result.failedQueries()).isZero();
            assertThat(result.violations()).as("sessions on a replaced credential after maxLifetime; rotations not rolled back").isEmpty();
            assertThat(result.rotationQueries()).as("queries ran during the rotations").isPositive();
            // Every rotation is followed; two within one poll of the watcher make one switch.
            assertThat(ds.credentialVersion()).as("the pool ends on the last CURRENT version")
                    .isEqualTo(backend.get(PATH).version().id());
            assertThat(counters.get("credential-switches")).isPositive();
            return result;
        } finally {
            app.close();
        }
    }
}
