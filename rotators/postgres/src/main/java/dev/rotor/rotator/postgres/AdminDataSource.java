package dev.rotor.rotator.postgres;

import dev.rotor.RotorException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The data source behind the admin pool: asks {@link AdminCredentials} for the login at each new
 * physical connection, so that a rotated admin password needs no restart. Thread-safe.
 */
final class AdminDataSource implements DataSource {

    private final PGSimpleDataSource target;
    private final AdminCredentials credentials;

    AdminDataSource(PGSimpleDataSource target, AdminCredentials credentials) {
        this.target = target;
        this.credentials = credentials;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Login login;
        try {
            login = credentials.login();
        } catch (RotorException e) {
            throw new LoginUnavailableException(e);
        }
        return target.getConnection(login.username(), login.password().asUtf8());
    }

    /** The admin login could not be read; the message says where it was looked for. */
    static final class LoginUnavailableException extends SQLException {
        private static final long serialVersionUID = 1L;

        LoginUnavailableException(RotorException cause) {
            super("cannot read the admin login: " + cause.getMessage(), (String) null, cause);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the admin pool takes its login from AdminCredentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
