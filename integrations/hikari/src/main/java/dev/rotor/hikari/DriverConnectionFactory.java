package dev.rotor.hikari;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Opens connections through a JDBC driver and URL, adding {@code user} and {@code password} to
 * a copy of the configured driver properties for each connection. Thread-safe.
 */
final class DriverConnectionFactory implements ConnectionFactory {

    private final String jdbcUrl;
    private final Driver driver;
    private final Properties properties;

    private DriverConnectionFactory(String jdbcUrl, Driver driver, Properties properties) {
        this.jdbcUrl = jdbcUrl;
        this.driver = driver;
        this.properties = properties;
    }

    /**
     * @param driverClassName the driver to load, or null to ask {@link DriverManager} for the
     *     driver that accepts {@code jdbcUrl}
     * @throws SQLException if no driver accepts the URL
     */
    static DriverConnectionFactory of(String jdbcUrl, @Nullable String driverClassName, Properties driverProperties) throws SQLException {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Driver driver;
        if (driverClassName == null) {
            driver = DriverManager.getDriver(jdbcUrl);
        } else {
            driver = load(driverClassName);
            if (!driver.acceptsURL(jdbcUrl)) {
                throw new SQLException("driver " + driverClassName + " does not accept the JDBC URL " + redactedUrl(jdbcUrl), "08001");
            }
        }
        Properties copy = new Properties();
        driverProperties.forEach((k, v) -> {
            String key = String.valueOf(k);
            // the credentials come from the secret, never from here
            if (!key.equalsIgnoreCase("user") && !key.equalsIgnoreCase("password")) {
                copy.put(k, v);
            }
        });
        return new DriverConnectionFactory(jdbcUrl, driver, copy);
    }

    private static Driver load(String className) throws SQLException {
        ClassLoader[] loaders = {Thread.currentThread().getContextClassLoader(), DriverConnectionFactory.class.getClassLoader()};
        for (ClassLoader loader : loaders) {
            if (loader == null) {
                continue;
            }
            try {
                Class<?> type = Class.forName(className, true, loader);
                return (Driver) type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                // try the next loader
            }
        }
        throw new SQLException("cannot load JDBC driver class " + className, "08001");
    }

    @Override
    public Connection connect(String username, String password) throws SQLException {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("user", username);
        p.setProperty("password", password);
        Connection c = driver.connect(jdbcUrl, p);
        if (c == null) {
            throw new SQLException("the driver does not accept the JDBC URL " + redactedUrl(jdbcUrl), "08001");
        }
        return c;
    }

    /** A URL may carry a password in its query string: show the part before it only. */
    static String redactedUrl(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
