package dev.rotor.vault;

import dev.rotor.AccessDeniedException;
import dev.rotor.RotorException;
import dev.rotor.spi.StoreContext;
import dev.rotor.vault.VaultClient.TokenGrant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Vault store's token valid. After each login or renewal the next maintenance is scheduled
 * at two thirds of the token's TTL: a renewable token is renewed ({@code auth/token/renew-self});
 * a failed renewal, a token that is not renewable, or one whose renewal was capped by its maximum
 * TTL leads to a fresh login (AppRole and Kubernetes log in again; a static token is read again
 * from its variable or file, where an agent may have replaced it). A token that never expires
 * (TTL 0) is left alone.
 *
 * <p>Requests also check the clock: one that finds maintenance overdue (a paused process, a late
 * scheduler) does it inline while other requests go on with the still-valid token; only an
 * expired token makes requests wait for the new one. A 403 on a request is checked against
 * {@code lookup-self}: if the token itself is bad, the store logs in again and the request is
 * tried once more; otherwise the 403 stands.
 *
 * <p>Thread-safe. Logins and renewals run one at a time under a lock that requests never wait on
 * unless the token has already expired.
 */
final class VaultTokens implements VaultClient.TokenRecovery, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VaultTokens.class);
    private static final Duration MIN_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** The token in use and when to act on it. {@code renewAt}/{@code expiresAt} are null for a token that never expires. */
    private record State(TokenGrant grant, Duration requestedTtl, @Nullable Instant renewAt, @Nullable Instant expiresAt,
            boolean loginNext) {
        @Override
        public String toString() {
            return "State[renewAt=" + renewAt + ", expiresAt=" + expiresAt + ", loginNext=" + loginNext + "]";
        }
    }

    private final VaultClient client;
    private final VaultLogin login;
    private final StoreContext context;
    private final Clock clock;
    private final RenewalScheduler scheduler;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile @Nullable State state;
    private RenewalScheduler.@Nullable Task next;
    private volatile boolean closed;

    VaultTokens(VaultClient client, VaultLogin login, StoreContext context, RenewalScheduler scheduler) {
        this.client = client;
        this.login = login;
        this.context = context;
        this.clock = context.clock();
        this.scheduler = scheduler;
        client.recovery(this);
    }

    /** The first login. @throws RotorException if it fails */
    void start() {
        lock.lock();
        try {
            install(login.login(client, context), null);
        } finally {
            lock.unlock();
        }
    }

    /** Called before each request: does overdue maintenance, and waits only if the token has expired. */
    void ensureFresh() {
        State s = Objects.requireNonNull(state, "not started");
        if (s.renewAt() == null) {
            return;
        }
        Instant now = clock.instant();
        if (now.isBefore(s.renewAt())) {
            return;
        }
        boolean expired = s.expiresAt() != null && !now.isBefore(s.expiresAt());
        if (expired) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return; // someone else is on it, and the token still works
        }
        try {
            if (state == s) {
                maintainLocked(expired);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The scheduled maintenance. */
    void maintain() {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            maintainLocked(false);
        } catch (RotorException e) {
            // already logged by maintainLocked; the next attempt is scheduled
        } finally {
            lock.unlock();
        }
    }

    private void maintainLocked(boolean mustSucceed) {
        State s = Objects.requireNonNull(state);
        if (s.grant().renewable() && !s.loginNext()) {
            try {
                TokenGrant renewed = client.renewSelf(s.grant().token(), s.requestedTtl());
                install(renewed, s.requestedTtl());
                LOG.debug("store '{}': token renewed, ttl {}", client.store(), renewed.ttl());
                return;
            } catch (RotorException e) {
                LOG.warn("store '{}': token renewal failed, logging in again: {}", client.store(), e.getMessage());
            }
        }
        try {
            install(login.login(client, context), null);
            LOG.info("store '{}': logged in to Vault again", client.store());
        } catch (RotorException e) {
            Instant now = clock.instant();
            Duration retry = MAX_RETRY;
            if (s.expiresAt() != null) {
                Duration half = Duration.between(now, s.expiresAt()).dividedBy(2);
                retry = half.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : half.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : half;
            }
            LOG.warn("store '{}': login to Vault failed, trying again in {}: {}", client.store(), retry, e.getMessage());
            reschedule(retry);
            if (mustSucceed) {
                throw e;
            }
        }
    }

    /** @param requestedTtl the TTL asked for in a renewal, or null after a login (the granted TTL is then the one to ask for) */
    private void install(TokenGrant grant, @Nullable Duration requestedTtl) {
        Instant now = clock.instant();
        Duration ttl = grant.ttl();
        Duration ask = requestedTtl == null ? ttl : requestedTtl;
        // Renewal capped by the token's max TTL: renewing again gains little, a new login is better.
        boolean capped = requestedTtl != null && ttl.compareTo(requestedTtl) < 0 && !(login instanceof VaultLogin.Token);
        State s;
        if (ttl.isZero()) {
            s = new State(grant, ask, null, null, false);
        } else {
            s = new State(grant, ask, now.plus(ttl.multipliedBy(2).dividedBy(3)), now.plus(ttl), capped || !grant.renewable());
        }
        if (!grant.token().equals(client.currentToken())) {
            client.useToken(grant.token());
        }
        state = s;
        if (s.renewAt() != null) {
            reschedule(Duration.between(now, s.renewAt()));
        } else {
            reschedule(null);
        }
    }

    private void reschedule(@Nullable Duration delay) {
        if (next != null) {
            next.cancel();
            next = null;
        }
        if (delay != null && !closed) {
            next = scheduler.schedule(this::maintain, delay);
        }
    }

    @Override
    public boolean recover(String rejectedToken) {
        if (!rejectedToken.equals(client.currentToken())) {
            return true; // replaced meanwhile: try again with the new one
        }
        try {
            client.lookupSelf(rejectedToken);
            return false; // the token is fine: the 403 is about the policy
        } catch (AccessDeniedException e) {
            LOG.info("store '{}': Vault no longer accepts the token, logging in again", client.store());
        } catch (RotorException e) {
            return false;
        }
        lock.lock();
        try {
            if (!rejectedToken.equals(client.currentToken())) {
                return true;
            }
            TokenGrant fresh = login.login(client, context);
            if (fresh.token().equals(rejectedToken)) {
                return false;
            }
            install(fresh, null);
            return true;
        } catch (RotorException e) {
            LOG.warn("store '{}': login to Vault failed: {}", client.store(), e.getMessage());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The token in use; package-private so that tests can revoke it in the fake. */
    @Nullable String token() {
        return client.currentToken();
    }

    /** When the current token is to be renewed or replaced; null if it never expires. For tests and health. */
    @Nullable Instant renewAt() {
        State s = state;
        return s == null ? null : s.renewAt();
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            reschedule(null);
        } finally {
            lock.unlock();
        }
        scheduler.close();
    }
}
