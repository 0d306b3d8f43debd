package dev.rotor.store;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.audit.AuditSink;
import dev.rotor.internal.store.AuditingSecretStore;
import dev.rotor.internal.store.CacheHitListener;
import dev.rotor.internal.store.CachingSecretStore;
import dev.rotor.internal.store.MeteredSecretStore;
import dev.rotor.internal.store.RetryingSecretStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a backend {@link SecretStore} in optional layers, always in this order, outermost first:
 *
 * <pre>cache -&gt; audit -&gt; metrics -&gt; retry -&gt; backend</pre>
 *
 * The cache answers hits itself and reports them to the audit and metrics layers through a
 * listener, so a hit costs no audit write and no timer update; every backend access gets one
 * audit event and one timer sample, however many attempts the retry layer makes.
 *
 * <pre>{@code
 * DecoratedSecretStore store = SecretStoreBuilder.on(backend)
 *         .cache(CacheOptions.defaults())
 *         .audit(sink, AuditOptions.defaults().withDefaultActor("billing"))
 *         .metrics(registry)
 *         .retry(RetryOptions.defaults())
 *         .build();
 * }</pre>
 *
 * <p>Not thread-safe; {@link #build()} may be called once. Problems are collected and reported
 * together by {@link #build()}, each naming its field.
 */
public final class SecretStoreBuilder {

    private final @Nullable SecretStore backend;
    /** Problems found by the setters, by field, so that a later valid call clears an earlier one. */
    private final Map<String, ConfigProblem> problems = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private @Nullable AuditSink auditSink;
    private @Nullable AuditOptions auditOptions;
    private @Nullable MetricRegistry registry;
    private @Nullable CacheOptions cacheOptions;
    private @Nullable RetryOptions retryOptions;
    private Sleeper sleeper = Sleeper.system();
    private boolean built;

    private SecretStoreBuilder(@Nullable SecretStore backend) {
        this.backend = backend;
    }

    /** Starts wrapping {@code backend}. Closing the built store closes it. */
    public static SecretStoreBuilder on(SecretStore backend) {
        return new SecretStoreBuilder(backend);
    }

    /** The clock for cache expiry and audit times; the system UTC clock by default. */
    public SecretStoreBuilder clock(Clock clock) {
        if (check(clock != null, "clock", "is required when set")) {
            this.clock = clock;
        }
        return this;
    }

    /**
     * Audits every access into {@code sink}. The sink stays the caller's: closing the built
     * store does not close it.
     */
    public SecretStoreBuilder audit(AuditSink sink, AuditOptions options) {
        boolean ok = check(sink != null, "audit.sink", "is required");
        ok &= check(options != null, "audit.options", "is required (AuditOptions.defaults() for the defaults)");
        if (ok) {
            this.auditSink = sink;
            this.auditOptions = options;
        }
        return this;
    }

    /** Times operations and counts errors and cache events in {@code registry}. */
    public SecretStoreBuilder metrics(MetricRegistry registry) {
        if (check(registry != null, "metrics.registry", "is required")) {
            this.registry = registry;
        }
        return this;
    }

    public SecretStoreBuilder cache(CacheOptions options) {
        if (check(options != null, "cache", "options are required (CacheOptions.defaults() for the defaults)")) {
            this.cacheOptions = options;
        }
        return this;
    }

    public SecretStoreBuilder retry(RetryOptions options) {
        if (check(options != null, "retry", "options are required (RetryOptions.defaults() for the defaults)")) {
            this.retryOptions = options;
        }
        return this;
    }

    /** How the retry layer waits; {@link Sleeper#system()} by default. */
    public SecretStoreBuilder sleeper(Sleeper sleeper) {
        if (check(sleeper != null, "retry.sleeper", "is required when set")) {
            this.sleeper = sleeper;
        }
        return this;
    }

    private boolean check(boolean ok, String field, String message) {
        if (ok) {
            problems.remove(field);
        } else {
            problems.put(field, new ConfigProblem(field, message));
        }
        return ok;
    }

    /**
     * Composes the layers.
     *
     * @throws InvalidConfigurationException listing every problem found, each with its field
     * @throws IllegalStateException if called a second time
     */
    public DecoratedSecretStore build() {
        if (built) {
            throw new IllegalStateException("build() was already called on this builder");
        }
        List<ConfigProblem> all = new ArrayList<>();
        if (backend == null) {
            all.add(new ConfigProblem("backend", "is required"));
        }
        all.addAll(problems.values());
        if (backend != null && registry != null && cacheOptions != null) {
            String gauge = MeteredSecretStore.cacheMetric(backend.name(), "size");
            if (registry.getMetrics().containsKey(gauge)) {
                all.add(new ConfigProblem("metrics.registry", "already has a metric named '" + gauge
                        + "': another open store named '" + backend.name() + "' reports to it"));
            }
        }
        InvalidConfigurationException.throwIfAny(all);
        built = true;

        List<String> layers = new ArrayList<>();
        SecretStore chain = backend;
        if (retryOptions != null) {
            chain = new RetryingSecretStore(chain, retryOptions, sleeper);
            layers.add(0, "retry");
        }
        MeteredSecretStore metered = null;
        if (registry != null) {
            metered = new MeteredSecretStore(chain, registry, cacheOptions != null);
            chain = metered;
            layers.add(0, "metrics");
        }
        SecretStore belowAudit = chain;
        AuditingSecretStore audited = null;
        if (auditSink != null && auditOptions != null) {
            audited = new AuditingSecretStore(chain, auditSink, auditOptions, clock, cacheOptions != null);
            chain = audited;
            layers.add(0, "audit");
        }
        CachingSecretStore cache = null;
        if (cacheOptions != null) {
            List<CacheHitListener> listeners = new ArrayList<>(2);
            if (audited != null) {
                listeners.add(audited); // first: in per-hit mode it may refuse the read
            }
            if (metered != null) {
                listeners.add(metered);
            }
            cache = new CachingSecretStore(chain, cacheOptions, clock, listeners);
            chain = cache;
            layers.add(0, "cache");
            if (metered != null) {
                metered.registerCacheSize(cache::size);
            }
        }
        return new DecoratedSecretStore(chain, cache, audited, belowAudit, layers);
    }
}
