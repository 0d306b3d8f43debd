package dev.rotor.benchmarks;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.DecoratedSecretStore;
import dev.rotor.store.SecretStoreBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
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
 * The refresh storm: 1,000 cached secrets with a short TTL (1 s, so each entry expires every
 * 0.5 to 1 s) read at random by as many threads as JMH runs (the figures use 64), against a
 * backend that takes {@link #backendMillis} per read like a remote call. Sample mode gives the
 * read latency distribution, p99 included, with refresh-ahead on (the default) and off.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RefreshStormBenchmark {

    static final int SECRETS = 1000;
    static final String[] PATHS = new String[SECRETS];

    static {
        for (int i = 0; i < SECRETS; i++) {
            PATHS[i] = "storm/s" + i;
        }
    }

    /** The last fraction of an entry's lifetime in which a hit starts a background reload; 0 is off. */
    @Param({"0.2", "0"})
    public double refreshAhead;

    /** How long the backend takes per read. */
    @Param({"20"})
    public int backendMillis;

    private DecoratedSecretStore store;
    private SlowStore backend;

    /** A backend that answers after a fixed delay, counting its reads. */
    static final class SlowStore extends ForwardingSecretStore {
        final LongAdder reads = new LongAdder();
        private final long delayNanos;

        SlowStore(SecretStore delegate, Duration delay) {
            super(delegate);
            this.delayNanos = delay.toNanos();
        }

        @Override
        public Secret get(String path, Selector selector) {
            reads.increment();
            LockSupport.parkNanos(delayNanos);
            return super.get(path, selector);
        }
    }

    @Setup(Level.Trial)
    public void start() {
        InMemorySecretStore memory = new InMemorySecretStore("bench");
        for (String p : PATHS) {
            memory.put(p, SecretValue.ofUtf8(BenchmarkSecret.json()), PutOptions.current());
        }
        backend = new SlowStore(memory, Duration.ofMillis(backendMillis));
        store = SecretStoreBuilder.on(backend).clock(Clock.systemUTC())
                .cache(CacheOptions.defaults().withTtl(Duration.ofSeconds(1)).withRefreshAhead(refreshAhead)).build();
        for (String p : PATHS) {
            store.get(p);
        }
    }

    @Benchmark
    public Secret read() {
        return store.get(PATHS[ThreadLocalRandom.current().nextInt(SECRETS)]);
    }

    @TearDown(Level.Trial)
    public void stop() {
        System.out.println("backend reads: " + backend.reads.sum());
        store.close();
    }
}
