package dev.rotor.benchmarks;

import dev.rotor.audit.AuditContext;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The price of each kind of step a cache hit takes, measured alone on this machine, to read the
 * cached-read figures against: a clock read, a shared counter increment, a concurrent map
 * lookup, the audit caller lookup, and a volatile write to a field every thread writes.
 * Not a target; run it with the same thread counts as {@link CachedReadBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HitPrimitivesBenchmark {

    private final Clock clock = Clock.systemUTC();
    private final LongAdder adder = new LongAdder();
    private final ConcurrentHashMap<String, Object> map = new ConcurrentHashMap<>();
    private volatile long sharedVolatile;

    @Setup(Level.Trial)
    public void fill() {
        for (int i = 0; i < 16; i++) {
            map.put("bench/other-" + i, new Object());
        }
        map.put(BenchmarkSecret.PATH, new Object());
    }

    /** {@code Clock.systemUTC().millis()}: what the cache checks expiry with. */
    @Benchmark
    public long clockMillis() {
        return clock.millis();
    }

    /** One {@link LongAdder} increment shared by all threads (hit counters are LongAdders). */
    @Benchmark
    public void longAdderIncrement() {
        adder.increment();
    }

    /** A lookup of the benchmark path in a small {@link ConcurrentHashMap}. */
    @Benchmark
    public Object mapGet() {
        return map.get(BenchmarkSecret.PATH);
    }

    /** {@link AuditContext#current()}: a thread-local read. */
    @Benchmark
    public Object auditCaller() {
        return AuditContext.current();
    }

    /** A volatile store to one field written by every thread on every call. */
    @Benchmark
    public void sharedVolatileWrite() {
        sharedVolatile = System.identityHashCode(this);
    }
}
