package dev.rotor.hikari;

import dev.rotor.RotorException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The {@link DataSource} HikariCP opens its physical connections through. Every connection is
 * opened with one {@link DbCredential} (user name and password from one read of one version)
 * and remembered with that credential's generation, so that connections opened with a credential
 * that has since been replaced can be told apart and evicted, even when the switch happened
 * while they were being opened (HikariCP issue #1836).
 *
 * <p>When the server refuses a login, the secret is read again past any cache (the version list,
 * then CURRENT, then PENDING: during a rotation's APPLY step the new password is only in
 * PENDING) and the login is retried once with what was found. That re-read happens at most once
 * per {@code retryInterval}, shared by every thread that hit the refusal; within the interval a
 * credential the server has refused is not offered to it again, so a wrong password costs at
 * most two refused logins per interval rather than one per connection attempt.
 *
 * <p>Thread-safe. One lock guards the switching state; no store read or database call happens
 * under it.
 */
final class CredentialConnector implements DataSource {

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(CredentialConnector.class);

    private final String pool;
    private final CredentialSource source;
    private final ConnectionFactory factory;
    private final Clock clock;
    private final Duration retryInterval;
    private final PoolMetrics metrics;
    private final ConnectionTags tags = new ConnectionTags();
    private final Object lock = new Object();

    private volatile DbCredential current;
    /** Connections opened with an older generation than this are stale. */
    private volatile long oldestUsable;
    private volatile @Nullable Runnable evictor;

    // guarded by lock
    private long generation;
    private @Nullable Instant lastReread;
    private @Nullable DbCredential lastRereadResult;
    private @Nullable CompletableFuture<@Nullable DbCredential> reread;
    /** Version id to when the server last refused it. */
    private final Map<String, Instant> refusals = new HashMap<>();

    private volatile int loginTimeoutSeconds;

    CredentialConnector(String pool, CredentialSource source, DbCredential initial, ConnectionFactory factory, Clock clock,
            Duration retryInterval, PoolMetrics metrics) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.source = Objects.requireNonNull(source, "source");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryInterval = Objects.requireNonNull(retryInterval, "retryInterval");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.generation = 1;
        this.current = initial.withGeneration(1);
        this.oldestUsable = 1;
    }

    /** What to run after a switch so the pool retires its connections (softEvictConnections). */
    void attach(Runnable softEvict) {
        this.evictor = Objects.requireNonNull(softEvict, "softEvict");
        if (current.generation() > 1) {
            // A switch happened while the pool was starting, before it could be told.
            softEvict.run();
        }
    }

    String versionId() {
        return current.versionId();
    }

    long generation() {
        return current.generation();
    }

    /** True if {@code physical} was opened with a credential that has been replaced since. */
    boolean isStale(Connection physical) {
        Long tag = tags.get(physical);
        return tag != null && tag < oldestUsable;
    }

    void forget(Connection physical) {
        tags.remove(physical);
    }

    // ------------------------------------------------------------------ switching

    /**
     * Makes {@code next} the credential for new connections, unless it is the version in use
     * already, and has the pool retire the connections opened with the old one.
     *
     * @return the generation new connections get
     */
    long adopt(DbCredential next, String reason) {
        DbCredential previous;
        long gen;
        synchronized (lock) {
            previous = current;
            if (previous.versionId().equals(next.versionId())) {
                return previous.generation();
            }
            gen = ++generation;
            current = next.withGeneration(gen);
            oldestUsable = gen;
            lastRereadResult = null;
            // the rotation verified it, or the server just took it
            refusals.remove(next.versionId());
        }
        metrics.switches.inc();
        LOG.info("{}: credentials {} switched from version {} to version {} ({}); connections opened with the old version are retired",
                pool, source.ref(), previous.versionId(), next.versionId(), reason);
        Runnable evict = evictor;
        if (evict != null) {
            evict.run();
        }
        return gen;
    }

    /** Reads version {@code versionId} and switches to it (a change notice). */
    void switchTo(String versionId, String reason) {
        if (versionId.equals(current.versionId())) {
            return;
        }
        adopt(source.version(versionId), reason);
    }

    /** Reads the secret's CURRENT version past any cache and switches to it if it is another version. */
    void refresh() {
        String id = source.stages().current();
        if (id == null) {
            throw new RotorException("the database credentials " + source.ref() + " have no CURRENT version");
        }
        switchTo(id, "refresh");
    }

    // ------------------------------------------------------------------ opening connections

    @Override
    public Connection getConnection() throws SQLException {
        // Twice at most: a second time only if the credential was switched while the first
        // connection was being opened.
        for (int attempt = 0; ; attempt++) {
            Opened opened = openWithRecovery();
            tags.put(opened.connection(), opened.generation());
            if (opened.generation() >= oldestUsable || attempt == 1) {
                return opened.connection();
            }
            metrics.staleConnections.inc();
            LOG.debug("{}: a connection opened during a credential switch used the old version; opening another", pool);
            tags.remove(opened.connection());
            closeQuietly(opened.connection());
        }
    }

    private record Opened(Connection connection, long generation) {}

    private Opened openWithRecovery() throws SQLException {
        DbCredential c = current;
        if (recentlyRefused(c)) {
            DbCredential next = recover(c);
            if (next == null || recentlyRefused(next)) {
                metrics.refusedLocally.inc();
                throw heldBack(c);
            }
            return openRecovered(next, null);
        }
        try {
            return new Opened(open(c), c.generation());
        } catch (SQLException e) {
            if (!AuthFailures.isAuthFailure(e)) {
                throw e;
            }
            metrics.loginRefusals.inc();
            markRefused(c);
            LOG.warn("{}: the server refused the login with credentials {} version {}; reading the secret again", pool,
                    source.ref(), c.versionId());
            DbCredential next;
            try {
                next = recover(c);
            } catch (SQLException readFailure) {
                e.addSuppressed(readFailure);
                throw e;
            }
            if (next == null || recentlyRefused(next)) {
                throw e;
            }
            return openRecovered(next, e);
        }
    }

    /** The one retry, with a credential from the re-read (or one another thread switched to). */
    private Opened openRecovered(DbCredential next, @Nullable SQLException first) throws SQLException {
        Connection connection;
        try {
            connection = open(next);
        } catch (SQLException e) {
            if (AuthFailures.isAuthFailure(e)) {
                metrics.loginRefusals.inc();
                markRefused(next);
                LOG.warn("{}: the server refused credentials {} version {} too; neither is tried again before {} has passed",
                        pool, source.ref(), next.versionId(), retryInterval);
            }
            if (first != null) {
                e.addSuppressed(first);
            }
            throw e;
        }
        metrics.recoveries.inc();
        long gen = adopt(next, "the server refused the previous version");
        return new Opened(connection, gen);
    }

    private Connection open(DbCredential c) throws SQLException {
        Connection connection = factory.connect(c.username(), c.password().asUtf8());
        if (connection == null) {
            throw new SQLTransientConnectionException("the driver returned no connection for " + pool);
        }
        return connection;
    }

    private boolean recentlyRefused(DbCredential c) {
        synchronized (lock) {
            Instant at = refusals.get(c.versionId());
            return at != null && clock.instant().isBefore(at.plus(retryInterval));
        }
    }

    private void markRefused(DbCredential c) {
        synchronized (lock) {
            Instant t = clock.instant();
            refusals.values().removeIf(at -> !t.isBefore(at.plus(retryInterval)));
            refusals.put(c.versionId(), t);
        }
    }

    private SQLException heldBack(DbCredential c) {
        return new SQLInvalidAuthorizationSpecException(pool + ": the server refused credentials " + source.ref() + " version "
                + c.versionId() + " less than " + retryInterval + " ago and the secret holds nothing newer yet; the login is held back",
                AuthFailures.INVALID_AUTHORIZATION);
    }

    /**
     * A credential other than {@code refused} to retry with, or null if there is none yet. Reads
     * the secret at most once per retry interval; concurrent callers share one read.
     */
    private @Nullable DbCredential recover(DbCredential refused) throws SQLException {
        CompletableFuture<@Nullable DbCredential> shared;
        boolean mine = false;
        synchronized (lock) {
            DbCredential now = current;
            if (!now.versionId().equals(refused.versionId())) {
                return now;
            }
            Instant t = clock.instant();
            boolean due = lastReread == null || !t.isBefore(lastReread.plus(retryInterval));
            if (reread != null) {
                shared = reread;
            } else if (!due) {
                DbCredential found = lastRereadResult;
                if (found != null && !found.versionId().equals(refused.versionId())) {
                    return found;
                }
                metrics.rereadsSuppressed.inc();
                return null;
            } else {
                shared = new CompletableFuture<>();
                reread = shared;
                lastReread = t;
                mine = true;
            }
        }
        if (mine) {
            try {
                DbCredential found = readOther(refused.versionId());
                synchronized (lock) {
                    lastRereadResult = found;
                    reread = null;
                }
                shared.complete(found);
            } catch (RuntimeException e) {
                synchronized (lock) {
                    lastRereadResult = null;
                    reread = null;
                }
                shared.completeExceptionally(e);
            }
        }
        try {
            DbCredential found = shared.join();
            return found == null || found.versionId().equals(refused.versionId()) ? null : found;
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // Rotor's messages name refs and versions, never values.
            throw new SQLTransientConnectionException(pool + ": cannot read the database credentials " + source.ref()
                    + " again: " + cause.getMessage(), "08001", cause);
        }
    }

    /** CURRENT if it is not {@code refusedVersion}, else PENDING if there is one, else null. */
    private @Nullable DbCredential readOther(String refusedVersion) {
        metrics.rereads.inc();
        CredentialSource.Stages stages = source.stages();
        String pick = null;
        if (stages.current() != null && !stages.current().equals(refusedVersion)) {
            pick = stages.current();
        } else if (stages.pending() != null && !stages.pending().equals(refusedVersion)) {
            pick = stages.pending();
        }
        LOG.info("{}: re-read credentials {}: CURRENT is version {}, PENDING is {}; {}", pool, source.ref(), stages.current(),
                stages.pending() == null ? "not set" : "version " + stages.pending(),
                pick == null ? "nothing new to retry with" : "retrying with version " + pick);
        return pick == null ? null : source.version(pick);
    }

    private void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("{}: closing a stale connection failed: {}", pool, e.toString());
        }
    }

    // ------------------------------------------------------------------ DataSource

    /** Not supported: credentials come from the secret only. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the credentials of " + pool + " come from " + source.ref());
    }

    @Override
    public @Nullable PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(@Nullable PrintWriter out) {
        // no log writer: Rotor logs through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging here");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException(getClass().getSimpleName() + " does not wrap " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "CredentialConnector[pool=" + pool + ", credentials=" + source.ref() + ", version=" + current.versionId()
                + ", generation=" + current.generation() + "]";
    }
}
