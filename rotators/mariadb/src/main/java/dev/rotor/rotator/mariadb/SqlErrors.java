package dev.rotor.rotator.mariadb;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * Sorts the SQL errors the rotator meets into what they mean for a rotation, and strips the
 * server's text from errors of statements that carried a credential: a MariaDB syntax error
 * quotes the statement ({@code … near 'IDENTIFIED BY PASSWORD ''*4F2…''}), so its message must
 * never reach a log or an exception chain. Stateless.
 */
final class SqlErrors {

    /** ER_ACCESS_DENIED_ERROR: wrong user name or password at login. */
    static final int ACCESS_DENIED = 1045;
    /** ER_DBACCESS_DENIED_ERROR: logged in, but not allowed to use the database in the URL. */
    static final int DB_ACCESS_DENIED = 1044;
    /** ER_TABLEACCESS_DENIED_ERROR: no privilege on a table (SELECT on mysql.user, say). */
    static final int TABLE_ACCESS_DENIED = 1142;
    /** ER_SPECIFIC_ACCESS_DENIED_ERROR: a global privilege such as CREATE USER is missing. */
    static final int SPECIFIC_ACCESS_DENIED = 1227;
    /** ER_CANNOT_USER: the account does not exist (or cannot be changed) for ALTER USER. */
    static final int CANNOT_USER = 1396;
    /** ER_PARSE_ERROR: the server does not know the syntax (RETAIN CURRENT PASSWORD on MariaDB). */
    static final int PARSE_ERROR = 1064;
    /** ER_OPTION_PREVENTS_STATEMENT: e.g. strict_password_validation refusing a password hash, or read_only. */
    static final int OPTION_PREVENTS_STATEMENT = 1290;
    /** ER_ACCOUNT_HAS_BEEN_LOCKED: MySQL 3118, MariaDB 4151. */
    static final int MYSQL_ACCOUNT_LOCKED = 3118;
    static final int MARIADB_ACCOUNT_LOCKED = 4151;

    enum Kind {
        /** The server cannot be reached: refused, unknown host, timed out. */
        UNREACHABLE,
        /** The server refused the login: wrong user name or password, or a locked account. */
        LOGIN_REFUSED,
        /** Logged in, but a privilege is missing. */
        NO_PRIVILEGE,
        /** ALTER USER named an account that does not exist. */
        NO_SUCH_ACCOUNT,
        /** The server did not understand the statement. */
        SYNTAX,
        /** Anything else. */
        OTHER
    }

    private SqlErrors() {}

    /** What {@code e} (or the driver error a pool wrapped in it) means. */
    static Kind kind(Throwable e) {
        SQLException sql = innermost(e);
        if (sql != null) {
            int code = sql.getErrorCode();
            switch (code) {
                case ACCESS_DENIED, MYSQL_ACCOUNT_LOCKED, MARIADB_ACCOUNT_LOCKED -> {
                    return Kind.LOGIN_REFUSED;
                }
                case DB_ACCESS_DENIED, TABLE_ACCESS_DENIED, SPECIFIC_ACCESS_DENIED -> {
                    return Kind.NO_PRIVILEGE;
                }
                case CANNOT_USER -> {
                    return Kind.NO_SUCH_ACCOUNT;
                }
                case PARSE_ERROR -> {
                    return Kind.SYNTAX;
                }
                default -> {
                    // fall through to the state and type checks
                }
            }
            if (sql instanceof SQLInvalidAuthorizationSpecException || "28000".equals(sql.getSQLState())) {
                return Kind.LOGIN_REFUSED;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SocketTimeoutException
                    || t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException) {
                return Kind.UNREACHABLE;
            }
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                return Kind.UNREACHABLE;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Kind.OTHER;
    }

    /** {@code (SQLState 28000, error 1045)}, from the innermost driver error; never the server's text. */
    static String codes(Throwable e) {
        SQLException sql = innermost(e);
        if (sql == null) {
            return "(" + e.getClass().getSimpleName() + ")";
        }
        return "(SQLState " + sql.getSQLState() + ", error " + sql.getErrorCode() + ")";
    }

    /**
     * An exception to keep as the cause of a failed statement that carried a credential: the
     * same SQLState, error code and stack, but none of the server's text and no cause chain.
     */
    static SQLException redacted(SQLException e) {
        SQLException inner = innermost(e);
        SQLException source = inner == null ? e : inner;
        SQLException copy = new SQLException("statement failed " + codes(source)
                + "; the server's message is withheld because the statement carried a credential",
                source.getSQLState(), source.getErrorCode());
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    /**
     * The driver's own error under any pool wrapping: the deepest {@link SQLException} in the
     * cause chain that has an error code or SQLState, or else the deepest one.
     */
    static @Nullable SQLException innermost(Throwable e) {
        SQLException best = null;
        SQLException deepest = null;
        int guard = 0;
        for (Throwable t = e; t != null && guard < 32; t = t.getCause(), guard++) {
            if (t instanceof SQLException s) {
                deepest = s;
                if (s.getErrorCode() != 0 || s.getSQLState() != null) {
                    best = s;
                }
            }
        }
        return best != null ? best : deepest;
    }
}
