package dev.rotor.hikari;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.Credentials;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.RotorException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.watch.SecretChange;
import dev.rotor.watch.SecretWatcher;
import dev.rotor.watch.Subscription;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HikariCP pool whose database user name and password come from a secret and follow its
 * rotation, so that the application keeps running while the password changes underneath it.
 *
 * <p>The secret is a JSON object with a user name and a password field (by default
 * {@code username} and {@code password}, as the PostgreSQL and MariaDB rotators write it).
 *
 * <ul>
 *   <li>Every new physical connection takes both fields from one read of one version of the
 *       secret, so a pair is never mixed across versions.
 *   <li>When the secret's CURRENT version changes (a {@link SecretWatcher} notice, or
 *       {@link #refresh()}), new connections use the new version at once and the pool retires
 *       the old ones ({@code softEvictConnections}): idle ones now, busy ones when they are
 *       returned. A connection that was being opened with the old version while the switch
 *       happened is retired too: each physical connection is remembered with the version it
 *       was opened with, and {@link #getConnection()} evicts any that is older than the switch
 *       instead of handing it out.
 *   <li>When the server refuses a login (PostgreSQL SQLSTATE {@code 28P01}/{@code 28000},
 *       MySQL/MariaDB error {@code 1045}), the secret is read again past any cache (CURRENT,
 *       then PENDING, where a rotation's new password sits between its APPLY and PROMOTE steps)
 *       and the login is retried once. At most one such re-read happens per
 *       {@linkplain Builder#authRetryInterval auth retry interval}, and within that interval a
 *       refused credential is not sent to the server again: a wrong password costs at most two
 *       refused logins per interval, never a storm that locks the account.
 * </ul>
 *
 * <p>The pool is configured with a {@link HikariConfig} template without credentials; once
 * built, the configuration is sealed as with any HikariCP pool, and the credential setters
 * ({@link #setUsername}, {@link #setPassword}, {@link #setCredentials},
 * {@link #setCredentialsProvider}) are refused. Nothing here ever logs, prints or names in a
 * metric the user name or password; {@link #toString()} shows the pool name, the secret ref and
 * the version in use.
 *
 * <p>Thread-safe, like {@link HikariDataSource}.
 */
public final class RotatingDataSource extends HikariDataSource {

    private static final Logger LOG = LoggerFactory.getLogger(RotatingDataSource.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** The default field names of the secret's JSON object. */
    public static final String DEFAULT_USERNAME_FIELD = "username";
    public static final String DEFAULT_PASSWORD_FIELD = "password";
    /** The default shortest time between two forced re-reads of the secret after refused logins. */
    public static final Duration DEFAULT_AUTH_RETRY_INTERVAL = Duration.ofSeconds(5);
    /** The shortest auth retry interval allowed. */
    public static final Duration MIN_AUTH_RETRY_INTERVAL = Duration.ofMillis(100);

    private final transient CredentialConnector connector;
    private final transient CredentialSource source;
    private final transient PoolMetrics metrics;
    private transient volatile @Nullable Subscription subscription;

    private RotatingDataSource(HikariConfig config, CredentialConnector connector, CredentialSource source, PoolMetrics metrics) {
        super(config);
        this.connector = connector;
        this.source = source;
        this.metrics = metrics;
        connector.attach(this::softEvict);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The secret the credentials come from. */
    public SecretRef credentialsRef() {
        return source.ref();
    }

    /** The version of the secret that new connections are opened with. */
    public String credentialVersion() {
        return connector.versionId();
    }

    /**
     * Reads the secret's CURRENT version now, past any cache, and switches to it if it is another
     * version than the one in use. For applications without a {@link SecretWatcher}, or that
     * learn of a rotation some other way.
     *
     * @throws RotorException if the secret cannot be read; the pool keeps its credential
     */
    public void refresh() {
        connector.refresh();
    }

    /**
     * A connection from the pool. A pooled connection that was opened with a version of the
     * secret older than the last switch is evicted rather than handed out.
     */
    @Override
    public Connection getConnection() throws SQLException {
        Connection c = super.getConnection();
        int evicted = 0;
        while (connector.isStale(c.unwrap(Connection.class))) {
            // Only connections opened during a switch get here; softEvictConnections took the rest.
            if (evicted++ > getMaximumPoolSize()) {
                break;
            }
            metrics.staleConnections.inc();
            evictConnection(c);
            c = super.getConnection();
        }
        return c;
    }

    private void softEvict() {
        HikariPoolMXBean pool = getHikariPoolMXBean();
        if (pool != null) {
            pool.softEvictConnections();
        }
    }

    private void onChange(SecretChange change) {
        try {
            connector.switchTo(change.current().id(), "rotation: version " + change.current().id() + " is CURRENT");
        } catch (RuntimeException e) {
            // The next refused login re-reads the secret, so the pool still catches up.
            metrics.switchFailures.inc();
            LOG.warn("{}: cannot switch to version {} of {}: {}", getPoolName(), change.current().id(), source.ref(),
                    e.getMessage());
        }
    }

    private void follow(SecretWatcher watcher) {
        subscription = watcher.watch(source.ref(), this::onChange);
    }

    /** Stops following the secret, then closes the pool. */
    @Override
    public void close() {
        Subscription s = subscription;
        subscription = null;
        if (s != null) {
            s.close();
        }
        super.close();
    }

    @Override
    public void setUsername(@Nullable String username) {
        throw credentialsFromSecret();
    }

    @Override
    public void setPassword(@Nullable String password) {
        throw credentialsFromSecret();
    }

    @Override
    public void setCredentials(@Nullable Credentials credentials) {
        throw credentialsFromSecret();
    }

    @Override
    public void setCredentialsProvider(@Nullable HikariCredentialsProvider provider) {
        throw credentialsFromSecret();
    }

    private UnsupportedOperationException credentialsFromSecret() {
        return new UnsupportedOperationException("the credentials of " + getPoolName() + " come from the secret "
                + (source == null ? "it was built with" : source.ref()) + " and cannot be set");
    }

    @Override
    public String toString() {
        return "RotatingDataSource[pool=" + getPoolName() + ", credentials=" + source.ref() + ", version="
                + connector.versionId() + ", closed=" + isClosed() + "]";
    }

    /**
     * Builds a {@link RotatingDataSource}. Every problem is reported at once in an
     * {@link InvalidConfigurationException}. Not thread-safe.
     */
    public static final class Builder {

        private @Nullable SecretRef ref;
        private @Nullable SecretStore store;
        private @Nullable Function<String, SecretStore> stores;
        private String usernameField = DEFAULT_USERNAME_FIELD;
        private String passwordField = DEFAULT_PASSWORD_FIELD;
        private @Nullable HikariConfig pool;
        private @Nullable String jdbcUrl;
        private @Nullable DataSource target;
        private @Nullable SecretWatcher watcher;
        private Duration authRetryInterval = DEFAULT_AUTH_RETRY_INTERVAL;
        private @Nullable MetricRegistry metrics;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The secret holding the credentials, in {@code store} (which is not closed with the pool). */
        public Builder credentials(SecretRef ref, SecretStore store) {
            this.ref = ref;
            this.store = store;
            this.stores = null;
            return this;
        }

        /** The secret holding the credentials, in the store {@code stores} gives for the ref's store name. */
        public Builder credentials(SecretRef ref, Function<String, SecretStore> stores) {
            this.ref = ref;
            this.stores = stores;
            this.store = null;
            return this;
        }

        /** The secret holding the credentials, in one of {@code rotor}'s stores. */
        public Builder credentials(SecretRef ref, Rotor rotor) {
            Objects.requireNonNull(rotor, "rotor");
            return credentials(ref, rotor::store);
        }

        /** As {@link #credentials(SecretRef, Rotor)} with the ref in its text form. */
        public Builder credentials(String ref, Rotor rotor) {
            return credentials(SecretRef.parse(ref), rotor);
        }

        /** The JSON field holding the user name (default {@code username}). */
        public Builder usernameField(String field) {
            this.usernameField = field;
            return this;
        }

        /** The JSON field holding the password (default {@code password}). */
        public Builder passwordField(String field) {
            this.passwordField = field;
            return this;
        }

        /**
         * The pool's settings (sizes, timeouts, {@code maxLifetime}, JDBC URL, driver class and
         * properties, pool name, metrics). The template is copied; it must not carry
         * credentials or a DataSource of its own.
         */
        public Builder pool(HikariConfig template) {
            this.pool = template;
            return this;
        }

        /** The JDBC URL, if the {@link #pool} template does not set one. */
        public Builder jdbcUrl(String url) {
            this.jdbcUrl = url;
            return this;
        }

        /**
         * Opens physical connections through {@code dataSource.getConnection(user, password)}
         * instead of a JDBC URL (for example a {@code PGSimpleDataSource} with TLS settings).
         */
        public Builder dataSource(DataSource dataSource) {
            this.target = dataSource;
            return this;
        }

        /**
         * Follow the secret's rotation: on a change notice for the ref, new connections use the
         * new version and the pool retires the old ones. The watcher stays the caller's; closing
         * the pool only ends its subscription.
         */
        public Builder watcher(SecretWatcher secretWatcher) {
            this.watcher = secretWatcher;
            return this;
        }

        /**
         * The shortest time between two forced re-reads of the secret after refused logins, and
         * how long a refused credential is held back from the server (default 5 s, at least
         * 100 ms).
         */
        public Builder authRetryInterval(Duration interval) {
            this.authRetryInterval = interval;
            return this;
        }

        /** Where the counters {@code rotor.hikari.<pool>.*} go (default: a registry of the pool's own). */
        public Builder metricRegistry(MetricRegistry registry) {
            this.metrics = registry;
            return this;
        }

        public Builder clock(Clock newClock) {
            this.clock = newClock;
            return this;
        }

        /**
         * Checks the configuration, reads the secret's CURRENT version and starts the pool (which,
         * as HikariCP does by default, opens a first connection).
         *
         * @throws InvalidConfigurationException listing every configuration problem
         * @throws RotorException if the secret cannot be read or lacks the two fields
         * @throws com.zaxxer.hikari.pool.HikariPool.PoolInitializationException if the first
         *     connection fails
         */
        public RotatingDataSource build() {
            List<ConfigProblem> problems = new ArrayList<>();
            HikariConfig config = new HikariConfig();
            if (pool != null) {
                pool.copyStateTo(config);
            }
            if (jdbcUrl != null) {
                if (config.getJdbcUrl() != null && !config.getJdbcUrl().equals(jdbcUrl)) {
                    problems.add(new ConfigProblem("jdbcUrl", "set both here and in the pool template, differently"));
                }
                config.setJdbcUrl(jdbcUrl);
            }
            checkCredentials(problems);
            checkField(problems, "usernameField", usernameField);
            checkField(problems, "passwordField", passwordField);
            if (usernameField != null && usernameField.equals(passwordField)) {
                problems.add(new ConfigProblem("passwordField", "must differ from usernameField ('" + usernameField + "')"));
            }
            checkTemplate(problems, config);
            if (authRetryInterval == null) {
                problems.add(new ConfigProblem("authRetryInterval", "is required"));
            } else if (authRetryInterval.compareTo(MIN_AUTH_RETRY_INTERVAL) < 0) {
                problems.add(new ConfigProblem("authRetryInterval", "must be at least " + MIN_AUTH_RETRY_INTERVAL
                        + " (was " + authRetryInterval + ")"));
            }
            if (clock == null) {
                problems.add(new ConfigProblem("clock", "is required"));
            }
            InvalidConfigurationException.throwIfAny(problems);

            SecretRef r = Objects.requireNonNull(ref);
            SecretStore s = store != null ? store : Objects.requireNonNull(stores).apply(r.store());
            if (s == null) {
                throw new InvalidConfigurationException("credentials", "no store named '" + r.store() + "' for " + r);
            }
            ConnectionFactory factory = factory(config);
            if (config.getPoolName() == null) {
                config.setPoolName("rotor-pool-" + POOLS.incrementAndGet());
            }
            String poolName = config.getPoolName();
            PoolMetrics poolMetrics = new PoolMetrics(metrics != null ? metrics : new MetricRegistry(), poolName);
            CredentialSource credentialSource = new CredentialSource(s, r, usernameField, passwordField);
            DbCredential initial = credentialSource.current();
            CredentialConnector connector = new CredentialConnector(poolName, credentialSource, initial, factory, clock,
                    authRetryInterval, poolMetrics);
            config.setDataSource(connector);
            RotatingDataSource ds = new RotatingDataSource(config, connector, credentialSource, poolMetrics);
            if (watcher != null) {
                try {
                    ds.follow(watcher);
                } catch (RuntimeException e) {
                    ds.close();
                    throw e;
                }
            }
            LOG.info("{}: pool started with credentials {} version {}{}", poolName, r, initial.versionId(),
                    watcher == null ? " (no watcher: switches on refused logins and refresh() only)" : ", following rotation");
            return ds;
        }

        private void checkCredentials(List<ConfigProblem> problems) {
            if (ref == null || (store == null && stores == null)) {
                problems.add(new ConfigProblem("credentials", "is required: the secret ref and the store holding it"));
                return;
            }
            if (ref.field() != null) {
                problems.add(new ConfigProblem("credentials", "the ref must name the whole secret, not field '" + ref.field()
                        + "': the user name and password fields are read from it (see usernameField, passwordField)"));
            }
            if (!ref.selector().equals(Selector.CURRENT)) {
                problems.add(new ConfigProblem("credentials", "the ref must follow CURRENT, not " + ref.selector()
                        + ": a pool pinned to one version could not follow rotation"));
            }
            if (store != null && !store.name().equals(ref.store())) {
                problems.add(new ConfigProblem("credentials", "the ref names store '" + ref.store() + "' but the store given is '"
                        + store.name() + "'"));
            }
        }

        private static void checkField(List<ConfigProblem> problems, String name, @Nullable String value) {
            if (value == null || value.isBlank()) {
                problems.add(new ConfigProblem(name, "is required"));
            }
        }

        private void checkTemplate(List<ConfigProblem> problems, HikariConfig config) {
            if (config.getUsername() != null || config.getPassword() != null) {
                problems.add(new ConfigProblem("pool.username", "must not be set: the credentials come from the secret"));
            }
            if (config.getCredentialsProvider() != null || config.getCredentialsProviderClassName() != null) {
                problems.add(new ConfigProblem("pool.credentialsProvider", "must not be set: the credentials come from the secret"));
            }
            if (config.getDataSource() != null || config.getDataSourceClassName() != null || config.getDataSourceJNDI() != null) {
                problems.add(new ConfigProblem("pool.dataSource", "must not be set: give a JDBC URL, or the DataSource to builder.dataSource(..)"));
            }
            for (String key : config.getDataSourceProperties().stringPropertyNames()) {
                if (key.equalsIgnoreCase("user") || key.equalsIgnoreCase("password")) {
                    problems.add(new ConfigProblem("pool.dataSourceProperties." + key, "must not be set: the credentials come from the secret"));
                }
            }
            if (target == null && config.getJdbcUrl() == null) {
                problems.add(new ConfigProblem("jdbcUrl", "is required (or a DataSource through dataSource(..))"));
            }
            if (target != null && config.getJdbcUrl() != null) {
                problems.add(new ConfigProblem("dataSource", "give either a JDBC URL or a DataSource, not both"));
            }
        }

        private @Nullable ConnectionFactory factory(HikariConfig config) {
            if (target != null) {
                DataSource t = target;
                return t::getConnection;
            }
            try {
                return DriverConnectionFactory.of(Objects.requireNonNull(config.getJdbcUrl()), config.getDriverClassName(),
                        config.getDataSourceProperties());
            } catch (SQLException e) {
                throw new InvalidConfigurationException("jdbcUrl", "no JDBC driver for "
                        + DriverConnectionFactory.redactedUrl(config.getJdbcUrl()) + ": " + e.getMessage());
            }
        }
    }
}
