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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What each layer adds to a cache hit: the same warm read as {@link CachedReadBenchmark}'s Rotor
 * side (local store backend, default options), with the audit and metrics layers switched on one
 * at a time. Explains the headline figure; not itself a target.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CachedReadLayersBenchmark {

    /** The layers above the backend: always the cache, plus audit and/or metrics. */
    @Param({"cache", "cache+metrics", "cache+audit", "cache+audit+metrics"})
    public String layers;

    private Path dir;
    private JsonlAuditSink auditSink;
    private DecoratedSecretStore store;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("rotor-bench-");
        MasterKey key = MasterKey.generate();
        LocalSecretStore backend = LocalSecretStore.open("bench", dir.resolve("store"), key, Clock.systemUTC());
        key.destroy();
        backend.put(BenchmarkSecret.PATH, SecretValue.ofUtf8(BenchmarkSecret.json()), PutOptions.current());
        SecretStoreBuilder builder = SecretStoreBuilder.on(backend).clock(Clock.systemUTC()).cache(CacheOptions.defaults());
        if (layers.contains("audit")) {
            auditSink = JsonlAuditSink.open(dir.resolve("audit.jsonl"), JsonlAuditSink.Options.defaults());
            builder.audit(auditSink, AuditOptions.defaults());
        }
        if (layers.contains("metrics")) {
            builder.metrics(new MetricRegistry());
        }
        store = builder.build();
        store.get(BenchmarkSecret.PATH);
    }

    @Benchmark
    public Secret hit() {
        return store.get(BenchmarkSecret.PATH);
    }

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
