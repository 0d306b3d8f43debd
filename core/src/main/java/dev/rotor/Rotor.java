package dev.rotor;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.audit.AuditSink;
import dev.rotor.config.AuditConfig;
import dev.rotor.config.CheckpointKeys;
import dev.rotor.config.RotorConfig;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.RetryOptions;
import dev.rotor.store.SecretStoreBuilder;
import dev.rotor.store.Sleeper;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for applications: the stores of a {@link RotorConfig}, opened, audited and
 * cached as configured.
 *
 * <pre>{@code
 * ProviderRegistry providers = ProviderRegistry.builder().register(new LocalStoreProvider()).build();
 * try (Rotor rotor = Rotor.open(RotorConfig.load(Path.of("rotor.yaml")), providers)) {
 *     Secret password = rotor.get(SecretRef.parse("secret://main/db/app#password"));
 * }
 * }</pre>
 *
 * <p>Opening validates the whole configuration first (every store's settings, the audit
 * settings) and reports every problem at once; then it opens the audit sink and every store.
 *
 * <p>Thread-safe: the set of stores is fixed when the instance is built, and each store is
 * thread-safe. {@link #close()} may be called from any thread; after it {@link #store},
 * {@link #storeNames} and {@link #get} throw {@link IllegalStateException}.
 */
public final class Rotor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rotor.class);

    private final RotorConfig config;
    private final String actor;
    private final Map<String, SecretStore> stores;
    private final List<AutoCloseable> resources;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Rotor(RotorConfig config, String actor, Map<String, SecretStore> stores, List<AutoCloseable> resources) {
        this.config = config;
        this.actor = actor;
        this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
        this.resources = List.copyOf(resources);
    }

    /** Opens every configured store with the system clock and the process environment. */
    public static Rotor open(RotorConfig config, ProviderRegistry providers) {
        return builder(config, providers).build();
    }

    public static Builder builder(RotorConfig config, ProviderRegistry providers) {
        return new Builder(config, providers);
    }

    /** The configuration this instance was opened with. */
    public RotorConfig config() {
        return config;
    }

    /** Who audit records name when no {@link dev.rotor.audit.AuditContext} caller is set. */
    public String actor() {
        return actor;
    }

    /** The names of the configured stores, in configuration order. */
    public Set<String> storeNames() {
        checkOpen();
        return stores.keySet();
    }

    /**
     * The store configured under {@code name}, with its audit and cache layers.
     *
     * @throws InvalidConfigurationException if no store has that name; the message lists the
     *     configured names
     */
    public SecretStore store(String name) {
        Objects.requireNonNull(name, "name");
        checkOpen();
        SecretStore store = stores.get(name);
        if (store == null) {
            throw new InvalidConfigurationException("stores." + name,
                    "no store named '" + name + "' is configured (configured: " + String.join(", ", stores.keySet()) + ")");
        }
        return store;
    }

    /**
     * Reads the version {@code ref} selects; with a {@code #field}, the value is that field of
     * the JSON object value.
     *
     * @throws SecretNotFoundException if the secret, stage or version does not exist
     * @throws SecretFieldException if the value has no such field or is not a JSON object
     */
    public Secret get(SecretRef ref) {
        Objects.requireNonNull(ref, "ref");
        Secret secret = store(ref.store()).get(ref.path(), ref.selector());
        String field = ref.field();
        if (field == null) {
            return secret;
        }
        try {
            return new Secret(secret.path(), secret.version(), secret.value().field(field));
        } catch (SecretFieldException e) {
            throw new SecretFieldException(ref.format() + " (version " + secret.version().id() + "): " + e.getMessage());
        } finally {
            secret.value().destroy();
        }
    }

    /** Closes every store and then the audit sink. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeAll(resources);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this Rotor is closed");
        }
    }

    /** Closes in reverse order of opening, logging (not throwing) failures so that every resource gets its turn. */
    private static void closeAll(List<AutoCloseable> opened) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", opened.get(i), e.toString());
            }
        }
    }

    /** The default actor, {@code <user>@<host>}, from the environment where it says. */
    static String defaultActor(Function<String, @Nullable String> env) {
        String user = firstNonBlank(env.apply("USER"), env.apply("USERNAME"), System.getProperty("user.name"), "unknown");
        String host = firstNonBlank(env.apply("HOSTNAME"), env.apply("COMPUTERNAME"), localHostName(), "localhost");
        return user + "@" + host;
    }

    private static @Nullable String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static String firstNonBlank(@Nullable String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c.strip();
            }
        }
        throw new IllegalStateException("no candidate");
    }

    /** Options for opening a {@link Rotor}; not thread-safe. */
    public static final class Builder {
        private final RotorConfig config;
        private final ProviderRegistry providers;
        private Clock clock = Clock.systemUTC();
        private Function<String, @Nullable String> environment = System::getenv;
        private @Nullable MetricRegistry metrics;
        private @Nullable AuditSink auditSink;
        private final List<AuditSink> extraAuditSinks = new ArrayList<>();
        private PrintStream auditStream = System.out;
        private RetryOptions retry = RetryOptions.defaults();
        private Sleeper sleeper = Sleeper.system();

        private Builder(RotorConfig config, ProviderRegistry providers) {
            this.config = Objects.requireNonNull(config, "config");
            this.providers = Objects.requireNonNull(providers, "providers");
        }

        public Builder clock(Clock newClock) {
            this.clock = Objects.requireNonNull(newClock, "clock");
            return this;
        }

        /** Where environment variables (key env vars, the default actor) are looked up; tests pass a map's {@code get}. */
        public Builder environment(Function<String, @Nullable String> newEnvironment) {
            this.environment = Objects.requireNonNull(newEnvironment, "environment");
            return this;
        }

        /** Times store operations and counts cache events in {@code registry}. */
        public Builder metrics(MetricRegistry registry) {
            this.metrics = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Audits every store into {@code sink} instead of what the {@code audit:} section
         * configures. The sink stays the caller's: {@link Rotor#close()} does not close it.
         */
        public Builder auditSink(AuditSink sink) {
            this.auditSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Audits every store into {@code sink} as well as into what the {@code audit:} section
         * configures; an append fails (closed) if any sink fails. This is how a sink from another
         * module joins, e.g. the PostgreSQL sink for {@code audit.postgres}: a configuration naming
         * {@code audit.postgres} is refused unless a sink was added here. The sink stays the
         * caller's: {@link Rotor#close()} does not close it. Ignored when {@link #auditSink} is set.
         */
        public Builder addAuditSink(AuditSink sink) {
            this.extraAuditSinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /** Where {@code audit.stdout: true} prints events; {@link System#out} by default. */
        public Builder auditStream(PrintStream stream) {
            this.auditStream = Objects.requireNonNull(stream, "stream");
            return this;
        }

        /** How retryable backend failures are retried; {@link RetryOptions#defaults()} by default. */
        public Builder retry(RetryOptions options, Sleeper newSleeper) {
            this.retry = Objects.requireNonNull(options, "options");
            this.sleeper = Objects.requireNonNull(newSleeper, "sleeper");
            return this;
        }

        /**
         * Validates the whole configuration, then opens the audit sink and every store.
         *
         * @throws InvalidConfigurationException listing every problem found before anything was opened
         */
        public Rotor build() {
            StoreContext context = new StoreContext(clock, environment, config.baseDirectory());
            Map<String, SecretStoreProvider> chosen = new LinkedHashMap<>();
            List<ConfigProblem> problems = new ArrayList<>();
            for (StoreConfig store : config.stores().values()) {
                SecretStoreProvider provider = providers.find(store.type()).orElse(null);
                if (provider == null) {
                    problems.add(new ConfigProblem(store.fieldPath("type"), "unknown store type '" + store.type()
                            + "' (known: " + String.join(", ", providers.types()) + ")"));
                } else {
                    problems.addAll(provider.validate(store, context));
                    chosen.put(store.name(), provider);
                }
            }
            AuditConfig audit = config.audit();
            byte[] checkpointKey = audit != null && auditSink == null ? checkpointKey(audit, problems) : null;
            if (audit != null && auditSink == null && audit.postgres() != null && extraAuditSinks.isEmpty()) {
                problems.add(new ConfigProblem("audit.postgres", "needs the PostgreSQL audit sink (rotor-audit-postgres), which"
                        + " 'rotor daemon' opens; this program cannot write it, and audit fails closed"));
            }
            InvalidConfigurationException.throwIfAny(problems);

            String actor = config.actor() != null ? config.actor() : defaultActor(environment);
            List<AutoCloseable> opened = new ArrayList<>();
            Map<String, SecretStore> stores = new LinkedHashMap<>();
            try {
                AuditSink sink = auditSink;
                if (sink == null && audit != null) {
                    sink = AuditSinks.open(audit, checkpointKey, clock, auditStream, extraAuditSinks, metrics);
                    opened.add(sink);
                } else if (sink == null && !extraAuditSinks.isEmpty()) {
                    sink = AuditSinks.tee(extraAuditSinks);
                }
                AuditOptions auditOptions = audit == null ? AuditOptions.defaults().withDefaultActor(actor)
                        : new AuditOptions(actor, audit.cachedReads(), audit.summaryInterval());
                for (StoreConfig store : config.stores().values()) {
                    SecretStore raw = chosen.get(store.name()).open(store, context);
                    SecretStoreBuilder layers = SecretStoreBuilder.on(raw).clock(clock).retry(retry).sleeper(sleeper);
                    if (sink != null) {
                        layers.audit(sink, auditOptions);
                    }
                    if (config.cache() != null) {
                        layers.cache(config.cache().toOptions());
                    }
                    if (metrics != null) {
                        layers.metrics(metrics);
                    }
                    SecretStore decorated;
                    try {
                        decorated = layers.build();
                    } catch (RuntimeException e) {
                        raw.close();
                        throw e;
                    }
                    opened.add(decorated);
                    stores.put(store.name(), decorated);
                }
            } catch (RuntimeException e) {
                closeAll(opened);
                throw e;
            } finally {
                if (checkpointKey != null) {
                    Arrays.fill(checkpointKey, (byte) 0);
                }
            }
            LOG.debug("opened stores {} as actor {}", stores.keySet(), actor);
            return new Rotor(config, actor, stores, opened);
        }

        /** The checkpoint key from the environment variable {@code audit.checkpointKeyEnv} names, or a problem. */
        private byte @Nullable [] checkpointKey(AuditConfig audit, List<ConfigProblem> problems) {
            String name = audit.checkpointKeyEnv();
            return name == null ? null : CheckpointKeys.fromEnvironment("audit.checkpointKeyEnv", name, environment, problems);
        }
    }
}
