package dev.rotor.rotator.postgres;

import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Turns JDBC failures into {@link RotationException}s whose messages say what went wrong in
 * words an operator can act on, without quoting SQL text.
 */
final class PgErrors {

    private PgErrors() {}

    /**
     * A failure of a statement that carries no credential (catalog queries, LOGIN/NOLOGIN, opening
     * a connection): the driver's exception is kept as the cause.
     */
    static RotationException of(Step step, String what, SQLException e) {
        return new RotationException(step, what + ": " + describe(e), e);
    }

    /**
     * A failure of a statement that carried a password verifier: the driver's exception is
     * dropped, because a server message may quote part of the statement it rejects.
     */
    static RotationException withoutCause(Step step, String what, SQLException e) {
        return new RotationException(step, what + ": " + describe(e));
    }

    /** A description from the SQLSTATE alone, never from the server's text. */
    static String describe(SQLException e) {
        String state = sqlState(e);
        String text = state == null ? "the database driver failed without an SQLSTATE" : switch (state) {
            case "28P01" -> "password authentication failed";
            case "28000" -> "the server refused the login (no matching pg_hba.conf entry, or the role may not log in)";
            case "3D000" -> "the database does not exist";
            case "42501" -> "insufficient privilege";
            case "42704" -> "the role does not exist";
            case "57014" -> "the statement timed out or was cancelled";
            case "57P01", "57P02", "57P03" -> "the server is shutting down or not accepting connections";
            case "53300" -> "the server has too many connections";
            default -> state.startsWith("08") ? "cannot connect to the server" : "the server answered with an error";
        };
        return text + " (SQLSTATE " + (state == null ? "none" : state) + ")";
    }

    /** True if the failure is the server refusing a login (wrong password or not allowed). */
    static boolean isLoginRefused(SQLException e) {
        String state = sqlState(e);
        return state != null && state.startsWith("28");
    }

    /** The most specific SQLSTATE in the chain (HikariCP wraps the driver's failure). */
    static @Nullable String sqlState(SQLException e) {
        @Nullable String found = null;
        Throwable t = e;
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                found = s.getSQLState();
            }
        }
        return found;
    }
}
