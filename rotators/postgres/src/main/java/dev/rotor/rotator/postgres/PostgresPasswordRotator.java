package dev.rotor.rotator.postgres;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the password of PostgreSQL login roles.
 *
 * <ul>
 *   <li><b>single-user</b>: APPLY changes the role's password in place, so the old one stops
 *       working at once; rollback sets the current password back; RETIRE has nothing left to
 *       revoke.
 *   <li><b>alternating</b>: two login roles share a group role's privileges. The secret names
 *       one of them; APPLY gives the other (idle) one a new password and {@code LOGIN}, so the
 *       current credential keeps working; the secret's username switches at PROMOTE. Rollback
 *       and RETIRE lock a role out with an unknown random password and {@code NOLOGIN}.
 * </ul>
 *
 * <p>Passwords are set with the driver's {@link PGConnection#alterUserPassword}, which computes
 * the SCRAM-SHA-256 verifier on the client: the plaintext never reaches the server, so
 * {@code log_statement} or an error report can at worst show a salted verifier. No SQL text is
 * logged by this class.
 *
 * <p>Admin work goes through a {@link PostgresAdminPool} (HikariCP), the rotator's own or one
 * shared by the rotators of one server; verification opens a fresh connection with the new
 * credential, outside the pool.
 *
 * <p>Thread-safe: any number of rotations (of different secrets) may run at once; they share
 * the pool, which bounds how many talk to the server at a time.
 */
public final class PostgresPasswordRotator implements Rotator, AutoCloseable {

    /** The rotator type as named in policies. */
    public static final String TYPE = "postgres-password";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresPasswordRotator.class);
    private static final String SCRAM = "scram-sha-256";
    private static final int PG16 = 160000;

    private final PostgresRotatorSettings settings;
    private final Supplier<SecretValue> passwords;
    private final PostgresAdminPool admin;
    private final boolean ownsPool;
    private final PGSimpleDataSource direct;

    /**
     * A rotator for {@code settings} with its own admin pool, logging in as admin with
     * {@code adminCredentials}. No I/O happens here; {@link #close()} closes the pool.
     */
    public PostgresPasswordRotator(PostgresRotatorSettings settings, AdminCredentials adminCredentials) {
        this(settings, new PostgresAdminPool(settings, adminCredentials), true, new PasswordGenerator(settings.passwordLength())::generate);
    }

    /**
     * A rotator for {@code settings} sharing {@code pool} with other rotators of the same server;
     * {@link #close()} leaves the pool open.
     *
     * @throws IllegalArgumentException if the pool is for another server or database
     */
    public PostgresPasswordRotator(PostgresRotatorSettings settings, PostgresAdminPool pool) {
        this(settings, pool, false, new PasswordGenerator(settings.passwordLength())::generate);
    }

    /** As the public constructor, with the passwords coming from {@code passwords} (tests use canaries). */
    PostgresPasswordRotator(PostgresRotatorSettings settings, AdminCredentials adminCredentials, Supplier<SecretValue> passwords) {
        this(settings, new PostgresAdminPool(settings, adminCredentials), true, passwords);
    }

    private PostgresPasswordRotator(PostgresRotatorSettings settings, PostgresAdminPool pool, boolean ownsPool,
            Supplier<SecretValue> passwords) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.admin = Objects.requireNonNull(pool, "pool");
        if (!pool.serves(settings)) {
            throw new IllegalArgumentException(pool + " does not serve " + settings.target());
        }
        this.ownsPool = ownsPool;
        this.passwords = Objects.requireNonNull(passwords, "passwords");
        this.direct = PostgresAdminPool.dataSource(settings, "rotor-verify");
    }

    public PostgresRotatorSettings settings() {
        return settings;
    }

    @Override
    public String type() {
        return TYPE;
    }

    // ---------------------------------------------------------------- PREPARE

    /**
     * Connects as admin and checks, before anything changes: the login roles (and the group
     * role) exist; the admin may change them (superuser, or {@code CREATEROLE} and, from
     * PostgreSQL 16, the {@code ADMIN OPTION} on each; only a superuser may change a superuser);
     * no role's {@code VALID UNTIL} has passed; a single-user role has {@code LOGIN}; with a group role, both login roles have its privileges; and the current secret names one
     * of the configured roles. Every problem found is named in one exception.
     */
    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        List<String> problems = new ArrayList<>();
        if (current != null) {
            String user = CredentialJson.login(current, Step.PREPARE).username();
            if (!settings.loginRoles().contains(user)) {
                problems.add("the current secret names role '" + user + "', which is not among the configured roles "
                        + settings.loginRoles());
            }
        }
        try (Connection c = adminConnection(Step.PREPARE)) {
            checkRoles(c, problems);
        } catch (SQLException e) {
            throw PgErrors.of(Step.PREPARE, "cannot check the roles on " + settings.target(), e);
        }
        if (!problems.isEmpty()) {
            throw new RotationException(Step.PREPARE, context.store() + "/" + context.path() + " cannot be rotated on "
                    + settings.target() + ": " + String.join("; ", problems));
        }
        LOG.debug("run {}: preflight passed for {}/{} on {}", context.runId(), context.store(), context.path(), settings.target());
    }

    private void checkRoles(Connection c, List<String> problems) throws SQLException {
        List<String> wanted = new ArrayList<>(settings.loginRoles());
        String group = settings.groupRole();
        if (group != null) {
            wanted.add(group);
        }
        String adminUser = null;
        boolean adminSuper = false;
        boolean adminCreateRole = false;
        int version = 0;
        Map<String, RoleRow> found = new HashMap<>();
        Array names = c.createArrayOf("text", wanted.toArray());
        // One round trip: the admin's own attributes, joined to each wanted role that exists.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT me.rolname, me.rolsuper, me.rolcreaterole, current_setting('server_version_num')::int,"
                        + " r.rolname, r.rolsuper, pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION'),"
                        + " CASE WHEN g.oid IS NULL THEN NULL ELSE pg_has_role(r.oid, g.oid, 'USAGE') END,"
                        + " r.rolcanlogin, r.rolvaliduntil IS NOT NULL AND r.rolvaliduntil < now()"
                        + " FROM pg_roles me"
                        + " LEFT JOIN (pg_roles r LEFT JOIN pg_roles g ON g.rolname = ?) ON r.rolname = ANY (?)"
                        + " WHERE me.rolname = current_user")) {
            ps.setString(1, group);
            ps.setArray(2, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    adminUser = rs.getString(1);
                    adminSuper = rs.getBoolean(2);
                    adminCreateRole = rs.getBoolean(3);
                    version = rs.getInt(4);
                    String role = rs.getString(5);
                    if (role != null) {
                        Boolean inGroup = rs.getObject(8) == null ? null : rs.getBoolean(8);
                        found.put(role, new RoleRow(rs.getBoolean(6), rs.getBoolean(7), inGroup, rs.getBoolean(9), rs.getBoolean(10)));
                    }
                }
            }
        } finally {
            names.free();
        }
        if (adminUser == null) {
            problems.add("the admin role is not in pg_roles");
            return;
        }
        if (group != null && !found.containsKey(group)) {
            problems.add("group role '" + group + "' does not exist");
        }
        for (String role : settings.loginRoles()) {
            RoleRow row = found.get(role);
            if (row == null) {
                problems.add("role '" + role + "' does not exist");
                continue;
            }
            if (!adminSuper && !role.equals(adminUser)) {
                if (row.superuser()) {
                    problems.add("role '" + role + "' is a superuser: only a superuser may change its password, and admin role '"
                            + adminUser + "' is not one");
                } else if (!adminCreateRole) {
                    problems.add("admin role '" + adminUser + "' may not alter role '" + role
                            + "': it needs SUPERUSER, or CREATEROLE with the ADMIN OPTION on the role");
                } else if (version >= PG16 && !row.adminOption()) {
                    problems.add("admin role '" + adminUser + "' may not alter role '" + role
                            + "': from PostgreSQL 16 CREATEROLE also needs the ADMIN OPTION on the role (GRANT " + role
                            + " TO " + adminUser + " WITH ADMIN OPTION)");
                }
            }
            if (settings.strategy() == Strategy.SINGLE_USER && !row.canLogin()) {
                problems.add("role '" + role + "' has NOLOGIN: a new password would not let it log in");
            }
            if (row.expired()) {
                // ALTER ROLE ... PASSWORD keeps VALID UNTIL, so the new password would be refused too.
                problems.add("the password validity of role '" + role + "' (VALID UNTIL) has passed: a new password would be refused");
            }
            if (group != null && found.containsKey(group) && !Boolean.TRUE.equals(row.inGroup())) {
                problems.add("role '" + role + "' does not have the privileges of group role '" + group + "' (GRANT " + group
                        + " TO " + role + ", and keep INHERIT)");
            }
        }
    }

    private record RoleRow(boolean superuser, boolean adminOption, @Nullable Boolean inGroup, boolean canLogin, boolean expired) {}

    // ---------------------------------------------------------------- CREATE

    /**
     * The next credential: single-user keeps the role, alternating takes the role the current
     * secret does not name (the first configured role if there is no current secret). Other
     * fields of the current secret are carried over. No I/O.
     */
    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        String next = switch (settings.strategy()) {
            case SINGLE_USER -> Objects.requireNonNull(settings.role());
            case ALTERNATING -> idleRole(current);
        };
        SecretValue password = passwords.get();
        try {
            return CredentialJson.next(current, next, password, Step.CREATE);
        } finally {
            password.destroy();
        }
    }

    private String idleRole(@Nullable Secret current) {
        List<String> roles = settings.roles();
        if (current == null) {
            return roles.get(0);
        }
        String user = CredentialJson.username(current, Step.CREATE);
        int i = roles.indexOf(user);
        if (i < 0) {
            throw new RotationException(Step.CREATE, "the current secret names role '" + user
                    + "', which is not one of the alternating roles " + roles);
        }
        return roles.get(1 - i);
    }

    // ---------------------------------------------------------------- APPLY

    /**
     * Sets the pending password on its role. Alternating also grants {@code LOGIN} (RETIRE took
     * it away), in the same transaction, and refuses to touch the role the current secret uses.
     * Safe to repeat: the role simply gets the same password again.
     */
    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        Login login = CredentialJson.login(pending, Step.APPLY);
        String role = managedRole(login.username(), Step.APPLY, "pending");
        boolean alternating = settings.strategy() == Strategy.ALTERNATING;
        if (alternating && current != null && CredentialJson.username(current, Step.APPLY).equals(role)) {
            throw new RotationException(Step.APPLY, "the pending credential names role '" + role
                    + "', which the current credential uses: the alternating strategy only changes the idle role");
        }
        try (Connection c = adminConnection(Step.APPLY)) {
            if (alternating) {
                inTransaction(c, Step.APPLY, "cannot enable role '" + role + "'", () -> {
                    alterLogin(c, role, true);
                    setPassword(c, role, login.password(), Step.APPLY);
                });
            } else {
                setPassword(c, role, login.password(), Step.APPLY);
            }
        } catch (SQLException e) {
            throw PgErrors.of(Step.APPLY, "cannot set the new password of role '" + role + "' on " + settings.target(), e);
        } finally {
            login.password().destroy();
        }
        LOG.debug("run {}: new password set on role {} ({})", context.runId(), role, settings.strategy());
    }

    // ---------------------------------------------------------------- VERIFY

    /**
     * Opens a new connection (outside the admin pool) with the pending credential and checks who
     * the server says it is; with a group role, also that the role has the group's privileges.
     */
    @Override
    public void verify(RotationContext context, Secret pending) {
        Login login = CredentialJson.login(pending, Step.VERIFY);
        String role = login.username();
        String password = login.password().asUtf8();
        login.password().destroy();
        try (Connection c = direct.getConnection(role, password);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT current_user, CASE WHEN ?::text IS NULL THEN true ELSE pg_has_role(current_user, ?, 'USAGE') END")) {
            ps.setString(1, settings.groupRole());
            ps.setString(2, settings.groupRole());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String who = rs.getString(1);
                if (!role.equals(who)) {
                    throw new RotationException(Step.VERIFY, "logged in as role '" + role + "' but the server says '" + who + "'");
                }
                if (!rs.getBoolean(2)) {
                    throw new RotationException(Step.VERIFY, "role '" + role + "' logs in but lacks the privileges of group role '"
                            + settings.groupRole() + "'");
                }
            }
        } catch (SQLException e) {
            if (PgErrors.isLoginRefused(e)) {
                throw PgErrors.of(Step.VERIFY, "the server refused the new credential of role '" + role + "' on "
                        + settings.target(), e);
            }
            throw PgErrors.of(Step.VERIFY, "cannot log in as role '" + role + "' on " + settings.target(), e);
        }
        LOG.debug("run {}: verified the new credential of role {}", context.runId(), role);
    }

    // ---------------------------------------------------------------- ROLLBACK

    /**
     * Undoes APPLY. If pending and current name the same role (single-user), the current
     * password is set back; otherwise (alternating) the pending role is locked out with an
     * unknown password and {@code NOLOGIN}. With no current credential, the pending role gets an
     * unknown password (and keeps {@code LOGIN} under single-user). Safe to repeat. Failures are
     * reported at {@link Step#APPLY}, the step this undoes.
     */
    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
        String role = managedRole(CredentialJson.username(pending, Step.APPLY), Step.APPLY, "pending");
        Login restore = current == null ? null : CredentialJson.login(current, Step.APPLY);
        try {
            if (restore != null && restore.username().equals(role)) {
                try (Connection c = adminConnection(Step.APPLY)) {
                    setPassword(c, role, restore.password(), Step.APPLY);
                } catch (SQLException e) {
                    throw PgErrors.of(Step.APPLY, "cannot restore the current password of role '" + role + "' on "
                            + settings.target(), e);
                }
                LOG.info("run {}: rolled back role {} to the current password", context.runId(), role);
                return;
            }
        } finally {
            if (restore != null) {
                restore.password().destroy();
            }
        }
        if (settings.strategy() == Strategy.ALTERNATING) {
            lockOut(role, Step.APPLY);
        } else {
            // No current password of this role to restore, and NOLOGIN would lock the only role out for good.
            try (Connection c = adminConnection(Step.APPLY)) {
                scramble(c, role, Step.APPLY);
            } catch (SQLException e) {
                throw PgErrors.of(Step.APPLY, "cannot reset the password of role '" + role + "' on " + settings.target(), e);
            }
        }
        LOG.info("run {}: rolled back role {}: the pending password no longer works", context.runId(), role);
    }

    // ---------------------------------------------------------------- RETIRE

    /**
     * Revokes the previous credential. Single-user: nothing to do, the old password was
     * replaced at APPLY. Alternating: the previous role gets an unknown password and
     * {@code NOLOGIN}; sessions it already has stay open until they end. Never touches the role
     * the current credential uses. Safe to repeat.
     */
    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        String old = CredentialJson.username(previous, Step.RETIRE);
        String now = CredentialJson.username(current, Step.RETIRE);
        if (old.equals(now)) {
            LOG.debug("run {}: nothing to retire for role {}: its old password was replaced at APPLY", context.runId(), old);
            return;
        }
        managedRole(old, Step.RETIRE, "previous");
        lockOut(old, Step.RETIRE);
        LOG.info("run {}: retired role {}", context.runId(), old);
    }

    // ---------------------------------------------------------------- helpers

    /** Checks that {@code role} is one of the configured login roles: the rotator changes no other. */
    private String managedRole(String role, Step step, String which) {
        if (!settings.loginRoles().contains(role)) {
            throw new RotationException(step, "the " + which + " credential names role '" + role
                    + "', which is not among the configured roles " + settings.loginRoles());
        }
        return role;
    }

    /** An unknown random password and NOLOGIN, in one transaction. */
    private void lockOut(String role, Step step) {
        try (Connection c = adminConnection(step)) {
            inTransaction(c, step, "cannot lock out role '" + role + "'", () -> {
                scramble(c, role, step);
                alterLogin(c, role, false);
            });
        } catch (SQLException e) {
            throw PgErrors.of(step, "cannot lock out role '" + role + "' on " + settings.target(), e);
        }
    }

    private void scramble(Connection c, String role, Step step) {
        SecretValue unknown = passwords.get();
        try {
            setPassword(c, role, unknown, step);
        } finally {
            unknown.destroy();
        }
    }

    /** Sends only a client-computed SCRAM verifier; a failure drops the driver's exception (see {@link PgErrors#withoutCause}). */
    private void setPassword(Connection c, String role, SecretValue password, Step step) {
        char[] chars = toChars(password);
        try {
            c.unwrap(PGConnection.class).alterUserPassword(role, chars, SCRAM);
        } catch (SQLException e) {
            throw PgErrors.withoutCause(step, "cannot set the password of role '" + role + "' on " + settings.target(), e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static void alterLogin(Connection c, String role, boolean login) throws SQLException {
        String ident = c.unwrap(PGConnection.class).escapeIdentifier(role);
        try (Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + ident + (login ? " LOGIN" : " NOLOGIN"));
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    private static void inTransaction(Connection c, Step step, String what, SqlWork work) throws SQLException {
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof SQLException sql) {
                throw PgErrors.of(step, what, sql);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private Connection adminConnection(Step step) {
        try {
            return admin.connection();
        } catch (SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof AdminDataSource.LoginUnavailableException unavailable) {
                    throw new RotationException(step, unavailable.getMessage() + " (for " + settings.target() + ")", e);
                }
            }
            if (PgErrors.isLoginRefused(e)) {
                throw PgErrors.of(step, "the admin login to " + settings.target() + " was refused (wrong admin credentials?)", e);
            }
            throw PgErrors.of(step, "cannot connect to PostgreSQL at " + settings.target() + " as admin", e);
        }
    }

    private static char[] toChars(SecretValue value) {
        byte[] bytes = value.bytes();
        try {
            CharBuffer buffer = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
            char[] chars = new char[buffer.remaining()];
            buffer.get(chars);
            if (buffer.hasArray()) {
                Arrays.fill(buffer.array(), '\0');
            }
            return chars;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Closes the admin pool if this rotator made it; a shared pool stays open. Idempotent. */
    @Override
    public void close() {
        if (ownsPool) {
            admin.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresPasswordRotator[" + settings.strategy() + " on " + settings.target() + ", roles=" + settings.loginRoles() + "]";
    }
}
