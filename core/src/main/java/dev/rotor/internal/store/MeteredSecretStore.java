package dev.rotor.internal.store;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.RatioGauge;
import com.codahale.metrics.Timer;
import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The metrics layer: a Dropwizard {@link Timer} {@code rotor.store.<store>.<op>} and an error
 * {@link Counter} {@code rotor.store.<store>.<op>.errors} per operation (errors count every call
 * that threw, not-found included), and, when a cache sits above, the counters
 * {@code rotor.cache.<store>.hits|misses|stale|load-failures} and the gauges
 * {@code rotor.cache.<store>.size} and {@code rotor.cache.<store>.hit-ratio} (hits over hits plus
 * misses since start; NaN before the first read). Names hold only the store name, never a path or a value.
 *
 * <p>Timers and counters are looked up once, at construction; the same names on the same
 * registry are shared with any other store of that name. Thread-safe.
 */
public final class MeteredSecretStore implements SecretStore, CacheHitListener {

    /** The operations that get a timer, with their metric name. */
    enum Op {
        GET("get"), GET_ALL("get-all"), PUT("put"), VERSIONS("versions"), PROMOTE("promote"), MOVE_STAGE("move-stage"), LIST("list"),
        DELETE("delete");

        final String metricName;

        Op(String metricName) {
            this.metricName = metricName;
        }
    }

    private final SecretStore inner;
    private final MetricRegistry registry;
    private final Timer[] timers;
    private final Counter[] errors;
    private final Counter hits;
    private final Counter misses;
    private final Counter stale;
    private final Counter loadFailures;
    private final String sizeName;
    private final String ratioName;
    private volatile @Nullable Gauge<Integer> sizeGauge;
    private volatile @Nullable Gauge<Double> ratioGauge;

    /** @param cacheAbove whether a cache layer reports to this one; only then are the cache metrics registered */
    public MeteredSecretStore(SecretStore inner, MetricRegistry registry, boolean cacheAbove) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.registry = Objects.requireNonNull(registry, "registry");
        String store = inner.name();
        Op[] ops = Op.values();
        timers = new Timer[ops.length];
        errors = new Counter[ops.length];
        for (Op op : ops) {
            timers[op.ordinal()] = registry.timer(storeMetric(store, op));
            errors[op.ordinal()] = registry.counter(storeMetric(store, op) + ".errors");
        }
        hits = cacheAbove ? registry.counter(cacheMetric(store, "hits")) : new Counter();
        misses = cacheAbove ? registry.counter(cacheMetric(store, "misses")) : new Counter();
        stale = cacheAbove ? registry.counter(cacheMetric(store, "stale")) : new Counter();
        loadFailures = cacheAbove ? registry.counter(cacheMetric(store, "load-failures")) : new Counter();
        sizeName = cacheMetric(store, "size");
        ratioName = cacheMetric(store, "hit-ratio");
    }

    public static String storeMetric(String store, Op op) {
        return "rotor.store." + store + "." + op.metricName;
    }

    public static String cacheMetric(String store, String what) {
        return "rotor.cache." + store + "." + what;
    }

    /**
     * Registers the cache's gauges: its size, and its hit ratio.
     *
     * @throws IllegalArgumentException if the registry already has a metric of either name
     */
    public void registerCacheSize(IntSupplier size) {
        Gauge<Integer> gauge = size::getAsInt;
        registry.register(sizeName, gauge);
        sizeGauge = gauge;
        Gauge<Double> ratio = new RatioGauge() {
            @Override
            protected Ratio getRatio() {
                long h = hits.getCount();
                return Ratio.of(h, (double) h + misses.getCount());
            }
        };
        registry.register(ratioName, ratio);
        ratioGauge = ratio;
    }

    private <T> T timed(Op op, Supplier<T> call) {
        Timer.Context context = timers[op.ordinal()].time();
        try {
            return call.get();
        } catch (RuntimeException | Error e) {
            errors[op.ordinal()].inc();
            throw e;
        } finally {
            context.stop();
        }
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public Secret get(String path, Selector selector) {
        return timed(Op.GET, () -> inner.get(path, selector));
    }

    @Override
    public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        return timed(Op.GET_ALL, () -> inner.getAll(paths, selector));
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        return timed(Op.PUT, () -> inner.put(path, value, options));
    }

    @Override
    public List<VersionInfo> versions(String path) {
        return timed(Op.VERSIONS, () -> inner.versions(path));
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        return timed(Op.PROMOTE, () -> inner.promote(path, versionId, expectedCurrentVersionId));
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        timed(Op.MOVE_STAGE, () -> {
            inner.moveStage(path, stage, versionId, expectedVersionId);
            return null;
        });
    }

    @Override
    public List<String> list(String prefix) {
        return timed(Op.LIST, () -> inner.list(prefix));
    }

    @Override
    public void delete(String path) {
        timed(Op.DELETE, () -> {
            inner.delete(path);
            return null;
        });
    }

    @Override
    public Health health() {
        return inner.health();
    }

    // ---- cache events: one counter increment each, no allocation ---------------------------

    @Override
    public void onHit(String path, Selector selector, Secret secret, boolean staleHit, long nowMillis) {
        (staleHit ? stale : hits).inc();
    }

    @Override
    public void onMiss() {
        misses.inc();
    }

    @Override
    public void onLoadFailure() {
        loadFailures.inc();
    }

    /** Removes the size gauge (it would keep the closed cache reachable) and closes the layers below. */
    @Override
    public void close() {
        Gauge<Integer> gauge = sizeGauge;
        Gauge<Double> ratio = ratioGauge;
        if (gauge != null) {
            registry.removeMatching((name, metric) -> (name.equals(sizeName) && metric == gauge) || (name.equals(ratioName) && metric == ratio));
            sizeGauge = null;
            ratioGauge = null;
        }
        inner.close();
    }

    @Override
    public String toString() {
        return "metrics -> " + inner;
    }
}
