package dev.rotor.hikari;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Recognises a database refusing a login: PostgreSQL SQLSTATE {@code 28P01} (wrong password) or
 * {@code 28000} (the role may not log in, or no {@code pg_hba.conf} entry), MySQL and MariaDB
 * error {@code 1045} (access denied). Looks through the cause chain, because pools and drivers
 * wrap the server's answer.
 */
final class AuthFailures {

    static final String INVALID_PASSWORD = "28P01";
    static final String INVALID_AUTHORIZATION = "28000";
    static final int MYSQL_ACCESS_DENIED = 1045;

    private AuthFailures() {}

    static boolean isAuthFailure(@Nullable Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof SQLException e && refused(e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean refused(SQLException e) {
        String state = e.getSQLState();
        return INVALID_PASSWORD.equals(state) || INVALID_AUTHORIZATION.equals(state) || e.getErrorCode() == MYSQL_ACCESS_DENIED;
    }
}
