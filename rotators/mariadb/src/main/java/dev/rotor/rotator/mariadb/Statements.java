package dev.rotor.rotator.mariadb;

import java.util.Set;

/**
 * The SQL the rotator sends. Account names are quoted as literals for the session's SQL mode
 * (the server cannot take them as parameters of a prepared account statement); credentials go as
 * client-side parameters (see {@link CredentialStatement}); queries that only read use
 * parameters too. Stateless.
 */
final class Statements {

    /** Reads an account's authentication plugin; no row means no such account. Needs SELECT on mysql.user. */
    static final String LOOKUP_ACCOUNT = "SELECT plugin FROM mysql.user WHERE User = ? AND Host = ?";
    static final String SERVER = "SELECT VERSION(), @@version_comment";
    /** MariaDB only: whether a password-validation plugin would refuse a password given as a hash. */
    static final String MARIADB_PASSWORD_VALIDATION = "SELECT @@GLOBAL.strict_password_validation,"
            + " (SELECT COUNT(*) FROM information_schema.PLUGINS"
            + " WHERE PLUGIN_TYPE = 'PASSWORD VALIDATION' AND PLUGIN_STATUS = 'ACTIVE')";
    static final String SQL_MODE = "SELECT @@SESSION.sql_mode";
    static final String CURRENT_USER = "SELECT CURRENT_USER()";
    /** Other sessions of a user name; the process list shows all of them only with the PROCESS privilege. */
    static final String SESSIONS_OF_USER = "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()";

    /** Plugins whose accounts this rotator can give a new password, per server kind. */
    static final Set<String> MARIADB_PLUGINS = Set.of("mysql_native_password", "");
    static final Set<String> MYSQL_PLUGINS = Set.of("mysql_native_password", "caching_sha2_password", "sha256_password");

    private Statements() {}

    /**
     * {@code ALTER USER 'u'@'h'} with no clause: changes nothing, but the server checks the
     * privilege to alter this account however it was granted (directly, through a role, or as
     * UPDATE on the mysql schema) and that the account exists. Reading the grant tables instead
     * misses role privileges.
     */
    static String probe(Account account, boolean noBackslashEscapes) {
        return "ALTER USER " + account.sql(noBackslashEscapes);
    }

    /**
     * A statement that carries a credential (a password or its hash). The credential is never part
     * of {@link #sql}: it goes as the one parameter of a client-side prepared statement, so the
     * driver's query log (MariaDB Connector/J logs {@code execute query: <sql>} at DEBUG) shows a
     * {@code ?} in its place. The driver puts it into the statement as a literal escaped for the
     * session's SQL mode.
     */
    record CredentialStatement(String sql, String credential) {
        @Override
        public String toString() {
            return sql;
        }
    }

    /**
     * Sets the account's only password. MariaDB gets the {@code mysql_native_password} hash, so
     * the password itself never reaches the server, whose general and slow query logs record
     * statements verbatim, unless a password-validation plugin needs to see it; MySQL gets the
     * password, keeps the account's plugin, and rewrites the statement in its own logs.
     */
    static CredentialStatement setPassword(ServerInfo server, Account account, String password, boolean noBackslashEscapes) {
        if (server.acceptsNativeHash()) {
            return new CredentialStatement("ALTER USER " + account.sql(noBackslashEscapes) + " IDENTIFIED BY PASSWORD ?", NativePassword.hash(password));
        }
        return new CredentialStatement("ALTER USER " + account.sql(noBackslashEscapes) + " IDENTIFIED BY ?", password);
    }

    /** MySQL 8.0.14+: the new password becomes primary, the old one stays valid as secondary. */
    static CredentialStatement setPasswordRetainingCurrent(Account account, String password, boolean noBackslashEscapes) {
        return new CredentialStatement("ALTER USER " + account.sql(noBackslashEscapes) + " IDENTIFIED BY ? RETAIN CURRENT PASSWORD", password);
    }

    /** MySQL 8.0.14+: drops the secondary password; does nothing if there is none. */
    static String discardOldPassword(Account account, boolean noBackslashEscapes) {
        return "ALTER USER " + account.sql(noBackslashEscapes) + " DISCARD OLD PASSWORD";
    }

    static String kill(long sessionId) {
        return "KILL CONNECTION " + sessionId;
    }
}
