package dev.rotor.benchmarks;

import dev.rotor.Secret;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A cached read of one secret, Rotor against AWS's caching client, in one run. Every call is a
 * hit on a warm cache. Run with {@code -prof gc} to see bytes allocated per read, and with
 * {@code -t 1} and {@code -t 2} for one and two reading threads (see {@code run.sh}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CachedReadBenchmark {

    /** Blackhole CPU tokens for {@link #controlCpuOnly}: some tens of nanoseconds. */
    static final long CONTROL_TOKENS = 64;

    /**
     * {@code get} on Rotor's decorated store: cache, audit and metrics layers. A hit returns
     * the cached {@link Secret} (its value a shared view), counts the hit for the audit summary
     * and the metrics counter, and makes no backend call.
     */
    @Benchmark
    public Secret rotorCachedGet(RotorCachedStoreState rotor) {
        return rotor.store().get(BenchmarkSecret.PATH);
    }

    /**
     * Control: CPU work of about the same length that shares nothing between threads. On a quiet
     * machine its time per call is the same on 1 and 2 threads; if it grows on 2, the threads
     * did not each have a core (other processes ran) and the run should be repeated.
     */
    @Benchmark
    public void controlCpuOnly() {
        Blackhole.consumeCPU(CONTROL_TOKENS);
    }

    /** {@code SecretCache.getSecretString} on a warm cache. */
    @Benchmark
    public String awsSecretCache(AwsSecretCacheState aws) {
        return aws.cache().getSecretString(BenchmarkSecret.PATH);
    }
}
