package dev.rotor.benchmarks;

import dev.rotor.Secret;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * A cached read of one secret, Rotor against AWS's caching client, in one run. Every call is a
 * hit on a warm cache. Run with {@code -prof gc} to see bytes allocated per read, and with
 * {@code -t 1} and {@code -t 2} for one and two reading threads (see {@code run.sh}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CachedReadBenchmark {

    /**
     * {@code get} on Rotor's decorated store: cache, audit and metrics layers. A hit returns
     * the cached {@link Secret} (its value a shared view), counts the hit for the audit summary
     * and the metrics counter, and makes no backend call.
     */
    @Benchmark
    public Secret rotorCachedGet(RotorCachedStoreState rotor) {
        return rotor.store().get(BenchmarkSecret.PATH);
    }

    /** {@code SecretCache.getSecretString} on a warm cache. */
    @Benchmark
    public String awsSecretCache(AwsSecretCacheState aws) {
        return aws.cache().getSecretString(BenchmarkSecret.PATH);
    }
}
