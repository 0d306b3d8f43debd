package dev.rotor.rotator.mariadb;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import dev.rotor.rotator.sql.AdminPools;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the password of a MariaDB or MySQL account, by one of three {@linkplain Strategy
 * strategies}: single-user, alternating users, or MySQL's dual passwords.
 *
 * <p>What each step does:
 * <ul>
 *   <li>PREPARE ({@link #preflight}): logs in as the admin; reads the server kind and version
 *       (dual passwords need MySQL 8.0.14+; MariaDB has none and is refused here); checks that
 *       every account the strategy touches exists and uses a password plugin the rotator can set
 *       (MariaDB: {@code mysql_native_password}; MySQL: that, {@code caching_sha2_password} or
 *       {@code sha256_password}); and checks that the admin may alter each one, with an
 *       {@code ALTER USER} that has no clause and so changes nothing.</li>
 *   <li>CREATE: a new random password (see {@link PasswordGenerator}) for the same account, or
 *       for the idle one of the alternating pair; the secret's other fields carry over. No I/O.</li>
 *   <li>APPLY: {@code ALTER USER … IDENTIFIED BY …} (on MariaDB as the password's hash, so the
 *       password never appears in statement text that the server logs), or on MySQL with
 *       {@code RETAIN CURRENT PASSWORD}.</li>
 *   <li>VERIFY: a new connection that logs in with the new credential, checks
 *       {@code CURRENT_USER()} and runs the configured verify query.</li>
 *   <li>rollback: the account gets the CURRENT password back (same account) or a random one
 *       that nobody knows (the idle account of a pair); dual passwords also drop the secondary.</li>
 *   <li>RETIRE: single-user has nothing left to revoke; dual-password runs
 *       {@code DISCARD OLD PASSWORD}; alternating users keep PREVIOUS valid until the next
 *       rotation, except in an emergency, when the previous account gets an unknown password and
 *       its open sessions are ended at once.</li>
 * </ul>
 * Every step can run again after a crash with the same result: setting a password is idempotent;
 * dual-password APPLY first tries the new password and does nothing if it already works, because
 * retaining twice would push the old password out.
 *
 * <p>No password is logged or put in an exception message; a failed statement that carried one
 * keeps only its SQLState and error code (the server quotes statement text in syntax errors).
 *
 * <p>Thread-safe. Admin connections come from a HikariCP pool opened on first use without any
 * I/O; {@link #close()} closes it.
 */
public final class MariaDbPasswordRotator implements Rotator, AutoCloseable {

    /** The rotator type in policies. */
    public static final String TYPE = "mariadb-password";

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbPasswordRotator.class);
    private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();
    /** ER_NO_SUCH_THREAD: the session ended by itself before KILL reached it. */
    private static final int NO_SUCH_THREAD = 1094;

    private final MariaDbRotatorSettings settings;
    private final AdminCredentials admin;
    private final Strategy strategy;
    private final String host;
    private final String target;
    private final PasswordGenerator passwords;
    private final org.mariadb.jdbc.Driver driver = new org.mariadb.jdbc.Driver();

    private final Object poolLock = new Object();
    private @Nullable HikariDataSource pool; // guarded by poolLock
    private boolean closed; // guarded by poolLock
    private volatile @Nullable ServerInfo server;

    private MariaDbPasswordRotator(MariaDbRotatorSettings settings, AdminCredentials admin, PasswordGenerator passwords) {
        this.settings = settings;
        this.admin = admin;
        this.strategy = Objects.requireNonNull(settings.strategy());
        this.host = settings.effectiveAccountHost();
        String url = Objects.requireNonNull(settings.jdbcUrl());
        int query = url.indexOf('?');
        this.target = query < 0 ? url : url.substring(0, query);
        this.passwords = passwords;
    }

    /**
     * A rotator for {@code settings}, changing passwords as {@code admin}. Opens nothing yet.
     *
     * @throws InvalidConfigurationException listing every problem of the settings and the admin user name
     */
    public static MariaDbPasswordRotator create(MariaDbRotatorSettings settings, AdminCredentials admin) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(admin, "admin");
        List<ConfigProblem> problems = new ArrayList<>(settings.validate(""));
        if (admin.username().isBlank()) {
            problems.add(new ConfigProblem("admin.username", "must not be empty"));
        }
        InvalidConfigurationException.throwIfAny(problems);
        return new MariaDbPasswordRotator(settings, admin, new PasswordGenerator());
    }

    @Override
    public String type() {
        return TYPE;
    }

    public Strategy strategy() {
        return strategy;
    }

    public MariaDbRotatorSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- steps

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        Step step = Step.PREPARE;
        List<Account> accounts = managedAccounts(Login.usernameOf(current, step), step);
        try (Connection c = adminConnection(step)) {
            ServerInfo info = readServer(c, step);
            if (strategy == Strategy.DUAL_PASSWORD && !info.supportsDualPassword()) {
                throw new RotationException(step, context.path() + ": strategy dual-password is not possible: " + info.whyNoDualPassword()
                        + "; use single-user or alternating-users");
            }
            boolean nbe = noBackslashEscapes(c);
            for (Account account : accounts) {
                String plugin = lookupPlugin(c, account, step);
                Set<String> supported = info.kind() == ServerInfo.Kind.MARIADB ? Statements.MARIADB_PLUGINS : Statements.MYSQL_PLUGINS;
                if (!supported.contains(plugin)) {
                    throw new RotationException(step, "account " + account + " authenticates with plugin '" + plugin
                            + "'; on " + info.kind() + " this rotator sets passwords of accounts using " + supported.stream().filter(p -> !p.isEmpty()).sorted().toList());
                }
                probe(c, account, nbe, step);
            }
            LOG.info("rotation {} of {}/{}: preflight passed ({} {}, strategy {}, accounts {})",
                    context.runId(), context.store(), context.path(), info.kind(), info.version(), strategy, accounts);
        } catch (SQLException e) {
            throw failure(step, "cannot check the accounts on " + target, e);
        }
    }

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        Step step = Step.CREATE;
        String next = nextUser(Login.usernameOf(current, step), step);
        String password = passwords.generate(settings.effectivePasswordLength());
        LOG.debug("rotation {} of {}/{}: new password generated for account {}", context.runId(), context.store(), context.path(),
                new Account(next, host));
        return Login.next(current, next, password, step);
    }

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        Step step = Step.APPLY;
        Login next = Login.of(pending, step);
        String currentUser = Login.usernameOf(current, step);
        checkPendingAccount(next.username(), currentUser, step);
        Account account = new Account(next.username(), host);
        try (Connection c = adminConnection(step)) {
            ServerInfo info = readServer(c, step);
            boolean nbe = noBackslashEscapes(c);
            switch (strategy) {
                case SINGLE_USER, ALTERNATING_USERS -> alterWithCredential(c, Statements.setPassword(info, account, next.password(), nbe), step,
                        "cannot set the new password of " + account);
                case DUAL_PASSWORD -> {
                    requireDualPassword(info, step);
                    if (canLogIn(next, step)) {
                        // Applied before a crash: retaining again would push the old password out.
                        LOG.info("rotation {} of {}/{}: the new password of {} already works; not applied again",
                                context.runId(), context.store(), context.path(), account);
                    } else {
                        alterWithCredential(c, Statements.setPasswordRetainingCurrent(account, next.password(), nbe), step,
                                "cannot set the new password of " + account + " retaining the current one");
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(step, "cannot set the new password of " + account, e);
        }
        LOG.info("rotation {} of {}/{}: new password applied to {} ({})", context.runId(), context.store(), context.path(), account, strategy);
    }

    @Override
    public void verify(RotationContext context, Secret pending) {
        Step step = Step.VERIFY;
        Login next = Login.of(pending, step);
        Account account = new Account(next.username(), host);
        try (Connection c = logIn(next)) {
            String currentUser = queryString(c, Statements.CURRENT_USER);
            int at = currentUser == null ? -1 : currentUser.lastIndexOf('@');
            String user = at < 0 ? currentUser : currentUser.substring(0, at);
            if (!next.username().equals(user)) {
                throw new RotationException(step, "logging in as '" + next.username() + "' authenticated as " + currentUser
                        + ", not as the rotated account " + account);
            }
            String query = settings.verifyQuery();
            if (query != null) {
                try (Statement s = c.createStatement()) {
                    s.setQueryTimeout(queryTimeoutSeconds());
                    s.execute(query);
                } catch (SQLException e) {
                    throw new RotationException(step, "the verify query failed when run as " + account + " " + SqlErrors.codes(e), e);
                }
            }
        } catch (SQLException e) {
            if (SqlErrors.kind(e) == SqlErrors.Kind.LOGIN_REFUSED) {
                throw new RotationException(step, "the new password of " + account + " was refused at login " + SqlErrors.codes(e)
                        + "; if another account (an anonymous ''@'localhost', or '" + next.username()
                        + "' with a more specific host) matches connections from this host, the server checks the password against that one", e);
            }
            throw failure(step, "cannot log in as " + account + " with the new password", e);
        }
        LOG.info("rotation {} of {}/{}: new password of {} verified by logging in", context.runId(), context.store(), context.path(), account);
    }

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
        // Rollback undoes APPLY, so its errors are reported as APPLY errors.
        Step step = Step.APPLY;
        Login next = Login.of(pending, step);
        Login now = current == null ? null : Login.of(current, step);
        if (!managedUsers(now == null ? null : now.username()).contains(next.username())) {
            throw new RotationException(step, "will not roll back account " + new Account(next.username(), host)
                    + ": it is not one this rotation manages");
        }
        Account account = new Account(next.username(), host);
        boolean sameAccount = now != null && now.username().equals(next.username());
        // The same account gets CURRENT back; the idle one of a pair gets a password nobody knows.
        String restore = sameAccount ? now.password() : passwords.generate(settings.effectivePasswordLength());
        try (Connection c = adminConnection(step)) {
            ServerInfo info = readServer(c, step);
            boolean nbe = noBackslashEscapes(c);
            alterWithCredential(c, Statements.setPassword(info, account, restore, nbe), step, "cannot roll back the password of " + account);
            if (strategy == Strategy.DUAL_PASSWORD && info.supportsDualPassword()) {
                execute(c, Statements.discardOldPassword(account, nbe));
            }
        } catch (SQLException e) {
            throw failure(step, "cannot roll back the password of " + account, e);
        }
        LOG.info("rotation {} of {}/{}: rolled back {}: {}", context.runId(), context.store(), context.path(), account,
                sameAccount ? "the CURRENT password is back" : "it now has a password nobody knows");
    }

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        Step step = Step.RETIRE;
        Login old = Login.of(previous, step);
        Login now = Login.of(current, step);
        Account account = new Account(old.username(), host);
        if (old.username().equals(now.username())) {
            if (strategy == Strategy.DUAL_PASSWORD) {
                discardSecondary(context, account, step);
            } else {
                LOG.info("rotation {} of {}/{}: nothing to retire: the previous password of {} stopped working when the new one was applied",
                        context.runId(), context.store(), context.path(), account);
            }
            return;
        }
        if (!managedUsers(now.username()).contains(old.username())) {
            LOG.warn("rotation {} of {}/{}: previous account {} is not one this rotation manages; left alone",
                    context.runId(), context.store(), context.path(), account);
            return;
        }
        if (!context.emergency()) {
            LOG.info("rotation {} of {}/{}: previous account {} stays valid until the next rotation gives it a new password",
                    context.runId(), context.store(), context.path(), account);
            return;
        }
        try (Connection c = adminConnection(step)) {
            ServerInfo info = readServer(c, step);
            boolean nbe = noBackslashEscapes(c);
            String unknown = passwords.generate(settings.effectivePasswordLength());
            alterWithCredential(c, Statements.setPassword(info, account, unknown, nbe), step, "cannot revoke the password of " + account);
            int ended = endSessions(c, old.username(), context);
            LOG.warn("rotation {} of {}/{}: emergency: previous account {} revoked (password replaced by one nobody knows), {} open session(s) ended",
                    context.runId(), context.store(), context.path(), account, ended);
        } catch (SQLException e) {
            throw failure(step, "cannot revoke the previous account " + account, e);
        }
    }

    /** Closes the admin connection pool; later steps fail. Idempotent. */
    @Override
    public void close() {
        HikariDataSource p;
        synchronized (poolLock) {
            closed = true;
            p = pool;
            pool = null;
        }
        if (p != null) {
            p.close();
        }
    }

    // ---------------------------------------------------------------- accounts

    /** The user names this rotation may change: the configured or current account, or the pair. */
    private List<String> managedUsers(@Nullable String currentUser) {
        if (strategy == Strategy.ALTERNATING_USERS) {
            return settings.effectiveUsers();
        }
        String configured = settings.username();
        if (configured != null) {
            return List.of(configured);
        }
        return currentUser == null ? List.of() : List.of(currentUser);
    }

    private List<Account> managedAccounts(@Nullable String currentUser, Step step) {
        nextUser(currentUser, step); // checks the secret against the settings
        return managedUsers(currentUser).stream().map(u -> new Account(u, host)).toList();
    }

    /** The account the next credential is for. */
    private String nextUser(@Nullable String currentUser, Step step) {
        if (strategy == Strategy.ALTERNATING_USERS) {
            List<String> pair = settings.effectiveUsers();
            if (currentUser == null) {
                return pair.get(0);
            }
            int index = pair.indexOf(currentUser);
            if (index < 0) {
                throw new RotationException(step, "the secret's username '" + currentUser + "' is neither of the alternating users "
                        + pair.stream().map(u -> "'" + u + "'").toList());
            }
            return pair.get(1 - index);
        }
        String configured = settings.username();
        if (configured != null && currentUser != null && !configured.equals(currentUser)) {
            throw new RotationException(step, "the secret's username '" + currentUser + "' is not the configured account '" + configured + "'");
        }
        String name = currentUser != null ? currentUser : configured;
        if (name == null) {
            throw new RotationException(step, "no account to rotate: the secret has no CURRENT version and no username is configured");
        }
        return name;
    }

    private void checkPendingAccount(String pendingUser, @Nullable String currentUser, Step step) {
        String expected = nextUser(currentUser, step);
        if (!expected.equals(pendingUser)) {
            throw new RotationException(step, "the pending credential is for '" + pendingUser + "' but this rotation changes '" + expected + "'");
        }
    }

    // ---------------------------------------------------------------- SQL

    private Connection adminConnection(Step step) {
        try {
            return pool().getConnection();
        } catch (SQLException e) {
            throw failure(step, "cannot get an admin connection to " + target + " as '" + admin.username() + "'", e);
        }
    }

    private HikariDataSource pool() {
        synchronized (poolLock) {
            if (closed) {
                throw new IllegalStateException("the " + TYPE + " rotator for " + target + " is closed");
            }
            HikariDataSource p = pool;
            if (p == null) {
                p = new HikariDataSource(poolConfig());
                pool = p;
            }
            return p;
        }
    }

    private HikariConfig poolConfig() {
        HikariConfig hc = AdminPools.config("rotor-mariadb-" + POOL_NUMBERS.incrementAndGet(), settings.effectiveMaxPoolSize(),
                settings.effectiveConnectTimeout());
        hc.setDriverClassName(org.mariadb.jdbc.Driver.class.getName());
        hc.setJdbcUrl(settings.jdbcUrl());
        hc.setUsername(admin.username());
        hc.setPassword(admin.password().asUtf8());
        // Credentials go as client-side parameters, which keeps them out of the driver's query log;
        // a server-side prepare of ALTER USER … IDENTIFIED BY ? would fail.
        hc.addDataSourceProperty("useServerPrepStmts", "false");
        driverTimeouts().forEach((k, v) -> hc.addDataSourceProperty((String) k, v));
        return hc;
    }

    private Properties driverTimeouts() {
        Properties p = new Properties();
        p.setProperty("connectTimeout", Long.toString(settings.effectiveConnectTimeout().toMillis()));
        // A guard above the statement timeout, for a server that stops answering mid-statement.
        p.setProperty("socketTimeout", Long.toString(settings.effectiveQueryTimeout().plusSeconds(10).toMillis()));
        return p;
    }

    private Connection logIn(Login login) throws SQLException {
        Properties p = driverTimeouts();
        p.setProperty("user", login.username());
        p.setProperty("password", login.password());
        Connection c = driver.connect(settings.jdbcUrl(), p);
        if (c == null) {
            throw new SQLException("the MariaDB driver does not accept the configured URL");
        }
        return c;
    }

    /**
     * Tries {@code login}: true if it works, false if the server refuses it; any other failure
     * (an unreachable server) is an error, because it says nothing about the password.
     */
    private boolean canLogIn(Login login, Step step) {
        try (Connection c = logIn(login)) {
            return true;
        } catch (SQLException e) {
            if (SqlErrors.kind(e) == SqlErrors.Kind.LOGIN_REFUSED) {
                return false;
            }
            throw failure(step, "cannot try the new password of " + new Account(login.username(), host), e);
        }
    }

    private ServerInfo readServer(Connection c, Step step) throws SQLException {
        ServerInfo known = server;
        if (known != null && step != Step.PREPARE) {
            return known;
        }
        String version;
        String comment;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Statements.SERVER)) {
            rs.next();
            version = rs.getString(1);
            comment = rs.getString(2);
        }
        ServerInfo parsed = ServerInfo.parse(version, comment, false);
        if (parsed.kind() == ServerInfo.Kind.MARIADB) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Statements.MARIADB_PASSWORD_VALIDATION)) {
                rs.next();
                boolean strict = rs.getInt(1) != 0;
                boolean plugins = rs.getLong(2) > 0;
                parsed = ServerInfo.parse(version, comment, strict && plugins);
            }
        }
        if (parsed.validatesPasswords() && (known == null || !known.validatesPasswords())) {
            LOG.info("{} validates passwords strictly, so new passwords go to it in the statement text, which its general log records if enabled", target);
        }
        server = parsed;
        return parsed;
    }

    private boolean noBackslashEscapes(Connection c) throws SQLException {
        String mode = queryString(c, Statements.SQL_MODE);
        return mode != null && SqlLiterals.noBackslashEscapes(mode);
    }

    private @Nullable String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(queryTimeoutSeconds());
            try (ResultSet rs = s.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private String lookupPlugin(Connection c, Account account, Step step) {
        try (PreparedStatement ps = c.prepareStatement(Statements.LOOKUP_ACCOUNT)) {
            ps.setQueryTimeout(queryTimeoutSeconds());
            ps.setString(1, account.user());
            ps.setString(2, account.host());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RotationException(step, "account " + account + " does not exist on " + target);
                }
                String plugin = rs.getString(1);
                return plugin == null ? "" : plugin;
            }
        } catch (SQLException e) {
            if (SqlErrors.kind(e) == SqlErrors.Kind.NO_PRIVILEGE) {
                throw new RotationException(step, "admin '" + admin.username() + "' cannot read mysql.user to check account " + account
                        + " " + SqlErrors.codes(e) + "; grant it SELECT ON mysql.user", e);
            }
            throw failure(step, "cannot look up account " + account, e);
        }
    }

    private void probe(Connection c, Account account, boolean nbe, Step step) {
        try {
            execute(c, Statements.probe(account, nbe));
        } catch (SQLException e) {
            switch (SqlErrors.kind(e)) {
                case NO_PRIVILEGE -> throw new RotationException(step, "admin '" + admin.username() + "' may not change account " + account
                        + " " + SqlErrors.codes(e) + "; it needs CREATE USER (or UPDATE on the mysql schema)", e);
                case NO_SUCH_ACCOUNT -> throw new RotationException(step, "account " + account + " does not exist on " + target + " "
                        + SqlErrors.codes(e), e);
                default -> throw failure(step, "cannot check that admin '" + admin.username() + "' may change account " + account, e);
            }
        }
    }

    private void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(queryTimeoutSeconds());
            s.execute(sql);
        }
    }

    /** Runs a statement holding a credential; a failure keeps none of the server's text. */
    private void alterWithCredential(Connection c, Statements.CredentialStatement statement, Step step, String what) {
        try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
            ps.setQueryTimeout(queryTimeoutSeconds());
            ps.setString(1, statement.credential());
            ps.execute();
        } catch (SQLException e) {
            throw failure(step, what, SqlErrors.redacted(e));
        }
    }

    private void discardSecondary(RotationContext context, Account account, Step step) {
        try (Connection c = adminConnection(step)) {
            ServerInfo info = readServer(c, step);
            requireDualPassword(info, step);
            execute(c, Statements.discardOldPassword(account, noBackslashEscapes(c)));
        } catch (SQLException e) {
            throw failure(step, "cannot discard the previous password of " + account, e);
        }
        LOG.info("rotation {} of {}/{}: previous password of {} discarded", context.runId(), context.store(), context.path(), account);
    }

    /** Ends the other open sessions of {@code user}; returns how many. Best effort: the password is already revoked. */
    private int endSessions(Connection c, String user, RotationContext context) {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(Statements.SESSIONS_OF_USER)) {
            ps.setQueryTimeout(queryTimeoutSeconds());
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            LOG.warn("rotation {} of {}/{}: cannot list the open sessions of '{}' {}", context.runId(), context.store(), context.path(),
                    user, SqlErrors.codes(e));
            return 0;
        }
        int ended = 0;
        for (long id : ids) {
            try (Statement s = c.createStatement()) {
                s.execute(Statements.kill(id));
                ended++;
            } catch (SQLException e) {
                if (e.getErrorCode() != NO_SUCH_THREAD) {
                    LOG.warn("rotation {} of {}/{}: cannot end session {} of '{}' {}; the admin needs CONNECTION ADMIN (or SUPER)",
                            context.runId(), context.store(), context.path(), id, user, SqlErrors.codes(e));
                }
            }
        }
        return ended;
    }

    private void requireDualPassword(ServerInfo info, Step step) {
        if (!info.supportsDualPassword()) {
            throw new RotationException(step, "strategy dual-password is not possible: " + info.whyNoDualPassword());
        }
    }

    private int queryTimeoutSeconds() {
        return (int) settings.effectiveQueryTimeout().toSeconds();
    }

    private RotationException failure(Step step, String doing, SQLException e) {
        String why = switch (SqlErrors.kind(e)) {
            case UNREACHABLE -> "the server at " + target + " cannot be reached";
            case LOGIN_REFUSED -> "the server refused the login of admin '" + admin.username()
                    + "' (wrong user name or password, or a locked account)";
            case NO_PRIVILEGE -> "admin '" + admin.username() + "' lacks a privilege for it";
            case NO_SUCH_ACCOUNT -> "the account does not exist";
            case SYNTAX -> "the server does not understand the statement";
            case OTHER -> "the statement failed";
        };
        return new RotationException(step, doing + ": " + why + " " + SqlErrors.codes(e), e);
    }

    @Override
    public String toString() {
        return "MariaDbPasswordRotator[" + target + ", " + strategy + ", admin=" + admin.username() + "]";
    }
}
