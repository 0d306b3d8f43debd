package dev.rotor.benchmarks;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.DecoratedSecretStore;
import dev.rotor.store.SecretStoreBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Rotor's side: a store decorated as an application would build it, with default options
 * (cache, audit to a hash-chained file with fsync on, Dropwizard metrics), over the local
 * encrypted store holding {@link BenchmarkSecret}. Warmed with one read, so every measured call
 * is a cache hit, which never reaches the backend. Everything lives in one temporary directory.
 *
 * <p>Shared by all benchmark threads ({@link Scope#Benchmark}), as an application shares one store.
 */
@State(Scope.Benchmark)
public class RotorCachedStoreState {

    private Path dir;
    private JsonlAuditSink auditSink;
    private MetricRegistry metrics;
    private DecoratedSecretStore store;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("rotor-bench-");
        auditSink = JsonlAuditSink.open(dir.resolve("audit.jsonl"), JsonlAuditSink.Options.defaults());
        MasterKey key = MasterKey.generate();
        LocalSecretStore backend = LocalSecretStore.open("bench", dir.resolve("store"), key, Clock.systemUTC());
        key.destroy();
        backend.put(BenchmarkSecret.PATH, SecretValue.ofUtf8(BenchmarkSecret.json()), PutOptions.current());
        metrics = new MetricRegistry();
        store = SecretStoreBuilder.on(backend)
                .clock(Clock.systemUTC())
                .audit(auditSink, AuditOptions.defaults())
                .metrics(metrics)
                .cache(CacheOptions.defaults())
                .build();
        Secret warm = store.get(BenchmarkSecret.PATH);
        if (!warm.value().asUtf8().equals(BenchmarkSecret.json())) {
            throw new IllegalStateException("the decorated store did not return the secret put in its backend");
        }
    }

    /** The warm, decorated store. */
    public DecoratedSecretStore store() {
        return store;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    /** The audit log file (in the temporary directory that {@link #stop} deletes). */
    public Path auditFile() {
        return auditSink.file();
    }

    /** Closes the store and the audit sink, then deletes the temporary directory. */
    @TearDown(Level.Trial)
    public void stop() throws IOException {
        if (store != null) {
            store.close();
        }
        if (auditSink != null) {
            auditSink.close();
        }
        if (dir != null) {
            TempDirs.deleteRecursively(dir);
        }
    }
}
