package dev.rotor.hikari;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A stand-in for a database server in unit tests (the integration tests use real PostgreSQL and
 * MariaDB): it accepts the logins it is told to, refuses others the way PostgreSQL does
 * (SQLSTATE 28P01), records every login attempt, and hands out connections that only know
 * whether they are closed. Thread-safe.
 */
final class FakeDatabase implements DataSource {

    /** One login attempt: who, with which password, and whether it was let in. */
    record Login(String username, String password, boolean accepted) {
        @Override
        public String toString() {
            return "Login[" + username + ", accepted=" + accepted + "]";
        }
    }

    private final Map<String, String> accounts = new ConcurrentHashMap<>();
    private final List<Login> logins = new CopyOnWriteArrayList<>();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final List<Connection> opened = new CopyOnWriteArrayList<>();
    private volatile Consumer<Login> beforeAnswer = l -> {};

    /** Lets {@code username} in with {@code password} (replacing any password it had). */
    FakeDatabase account(String username, String password) {
        accounts.put(username, password);
        return this;
    }

    void drop(String username) {
        accounts.remove(username);
    }

    /** Runs {@code hook} inside each login attempt, before the answer (to interleave a switch). */
    void beforeAnswer(Consumer<Login> hook) {
        this.beforeAnswer = hook;
    }

    List<Login> logins() {
        return List.copyOf(logins);
    }

    long attemptsWith(String password) {
        return logins.stream().filter(l -> l.password().equals(password)).count();
    }

    Set<Connection> openConnections() {
        return Set.copyOf(open);
    }

    List<Connection> openedConnections() {
        return List.copyOf(opened);
    }

    Connection connect(String username, String password) throws SQLException {
        boolean ok = password.equals(accounts.get(username));
        Login login = new Login(username, password, ok);
        logins.add(login);
        beforeAnswer.accept(login);
        if (!ok) {
            throw new SQLException("password authentication failed for user \"" + username + "\"", "28P01");
        }
        Connection c = connection(username, password);
        open.add(c);
        opened.add(c);
        return c;
    }

    /** The user name and password a connection of this database was opened with. */
    static Login loginOf(Connection c) {
        return ((Handle) Proxy.getInvocationHandler(c)).login;
    }

    private Connection connection(String username, String password) {
        Handle handle = new Handle(new Login(username, password, true));
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handle);
    }

    private final class Handle implements java.lang.reflect.InvocationHandler {
        final Login login;
        volatile boolean closed;
        volatile boolean autoCommit = true;

        Handle(Login login) {
            this.login = login;
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method m, Object[] args) throws Throwable {
            return switch (m.getName()) {
                case "close" -> {
                    closed = true;
                    open.remove((Connection) proxy);
                    yield null;
                }
                case "isClosed" -> closed;
                case "isValid" -> !closed;
                case "getAutoCommit" -> autoCommit;
                case "setAutoCommit" -> {
                    autoCommit = (Boolean) args[0];
                    yield null;
                }
                case "isReadOnly" -> false;
                case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                case "getNetworkTimeout" -> 0;
                case "unwrap" -> {
                    if (((Class<?>) args[0]).isInstance(proxy)) {
                        yield proxy;
                    }
                    throw new SQLException("not a wrapper");
                }
                case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(proxy);
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "FakeConnection@" + Integer.toHexString(System.identityHashCode(proxy));
                case "getWarnings", "getCatalog", "getSchema" -> null;
                default -> {
                    if (m.getReturnType() == void.class) {
                        yield null;
                    }
                    throw new SQLFeatureNotSupportedException(m.getName());
                }
            };
        }
    }

    // ---- DataSource, for RotatingDataSource.Builder#dataSource

    @Override
    public Connection getConnection() throws SQLException {
        throw new SQLFeatureNotSupportedException("a user name and password are required");
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return connect(username, password);
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
