package dev.rotor.rotator.mariadb;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.rotator.sql.SqlSettingsBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link MariaDbPasswordRotator}: where the server is, which accounts it
 * rotates and how. Unset optional settings take the defaults named below; {@link #validate}
 * reports every problem at once. The admin credentials are not settings: they come separately as
 * {@link AdminCredentials}, so that no password is ever written into a policy file.
 *
 * <pre>{@code
 * jdbcUrl: jdbc:mariadb://db.internal:3306/
 * strategy: alternating-users      # single-user | alternating-users | dual-password
 * users: [app_blue, app_green]     # alternating-users: the two accounts
 * accountHost: "%"                 # the host part of the accounts
 * passwordLength: 32
 * verifyQuery: SELECT 1 FROM shop.orders LIMIT 1
 * }</pre>
 *
 * <p>The secret itself is a JSON object with {@code username} and {@code password}; any other
 * fields it has (a host or database name for the application, say) are carried over unchanged to
 * each new version. The rotator reaches the server through {@code jdbcUrl}, never through
 * connection details in the secret.
 *
 * @param jdbcUrl the server, as a MariaDB Connector/J URL ({@code jdbc:mariadb://host:port/[db]});
 *     required; must not hold credentials. VERIFY logs in through the same URL, so a database
 *     named in it must be one the rotated accounts may use
 * @param strategy how to rotate; required
 * @param accountHost the host part of the rotated accounts ({@code 'user'@'host'}); default {@code %}
 * @param username single-user and dual-password: the account's user name. Optional when the
 *     secret's CURRENT version names it; if both are given they must agree
 * @param users alternating-users: the two user names, which need the same privileges (granted
 *     directly or through a shared role); the first rotation without a CURRENT version starts
 *     with the first
 * @param passwordLength length of generated passwords, 16 to 128; default 32
 * @param verifyQuery a query VERIFY runs as the new credential after logging in, to prove it has
 *     the privileges the application needs (for example {@code SELECT 1 FROM shop.orders LIMIT 1});
 *     default none (logging in is the proof)
 * @param connectTimeout how long to wait for a connection, admin or verifying; default 5 s
 * @param queryTimeout how long one statement may run; whole seconds, default 30 s
 * @param maxPoolSize the most admin connections held at once; default 2
 */
public record MariaDbRotatorSettings(
        @Nullable String jdbcUrl,
        @Nullable Strategy strategy,
        @Nullable String accountHost,
        @Nullable String username,
        @Nullable List<String> users,
        @Nullable Integer passwordLength,
        @Nullable String verifyQuery,
        @Nullable Duration connectTimeout,
        @Nullable Duration queryTimeout,
        @Nullable Integer maxPoolSize) {

    public static final String DEFAULT_ACCOUNT_HOST = "%";
    public static final int DEFAULT_PASSWORD_LENGTH = 32;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_POOL_SIZE = 2;

    /** MariaDB allows 80 characters in a user name (MySQL 32), and 255 in a host name. */
    static final int MAX_USER_LENGTH = 80;
    static final int MAX_HOST_LENGTH = 255;
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_POOL_SIZE = 32;
    private static final Pattern CREDENTIAL_IN_URL = Pattern.compile("[?&;](user|password|pwd)=", Pattern.CASE_INSENSITIVE);

    public MariaDbRotatorSettings {
        // Not List.copyOf: a null name must reach validate() as a problem, not fail here.
        users = users == null ? null : Collections.unmodifiableList(new ArrayList<>(users));
    }

    public static Builder builder() {
        return new Builder();
    }

    public String effectiveAccountHost() {
        return accountHost == null ? DEFAULT_ACCOUNT_HOST : accountHost;
    }

    public int effectivePasswordLength() {
        return passwordLength == null ? DEFAULT_PASSWORD_LENGTH : passwordLength;
    }

    public Duration effectiveConnectTimeout() {
        return connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
    }

    public Duration effectiveQueryTimeout() {
        return queryTimeout == null ? DEFAULT_QUERY_TIMEOUT : queryTimeout;
    }

    public int effectiveMaxPoolSize() {
        return maxPoolSize == null ? DEFAULT_MAX_POOL_SIZE : maxPoolSize;
    }

    /** The two alternating users, or an empty list for the other strategies. */
    public List<String> effectiveUsers() {
        return users == null ? List.of() : users;
    }

    /**
     * Every problem with these settings, each naming its field as {@code prefix + name} (for
     * example {@code rotations.db.jdbcUrl}); empty if they are valid. No I/O.
     */
    public List<ConfigProblem> validate(String prefix) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            problems.add(new ConfigProblem(prefix + "jdbcUrl", "is required"));
        } else {
            if (!jdbcUrl.startsWith("jdbc:mariadb:")) {
                problems.add(new ConfigProblem(prefix + "jdbcUrl", "must be a MariaDB Connector/J URL starting with jdbc:mariadb:"));
            }
            if (CREDENTIAL_IN_URL.matcher(jdbcUrl).find() || jdbcUrl.matches("jdbc:mariadb:(\\w+:)?//[^/?]*@.*")) {
                // Deliberately not echoing the URL: it might hold the very password we refuse.
                problems.add(new ConfigProblem(prefix + "jdbcUrl", "must not hold credentials; the admin credentials are given separately"));
            }
            if (jdbcUrl.toLowerCase(Locale.ROOT).contains("useserverprepstmts")) {
                problems.add(new ConfigProblem(prefix + "jdbcUrl",
                        "must not set useServerPrepStmts: the rotator passes credentials as client-side parameters"));
            }
        }
        if (strategy == null) {
            problems.add(new ConfigProblem(prefix + "strategy", "is required (one of: " + Strategy.known() + ")"));
        }
        String host = effectiveAccountHost();
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH || host.indexOf('\0') >= 0) {
            problems.add(new ConfigProblem(prefix + "accountHost", "must be 1 to " + MAX_HOST_LENGTH + " characters without NUL"));
        }
        if (username != null) {
            checkUserName(problems, prefix + "username", username);
        }
        if (strategy == Strategy.ALTERNATING_USERS) {
            if (users == null || users.size() != 2) {
                problems.add(new ConfigProblem(prefix + "users", "alternating-users needs exactly two user names"));
            } else {
                for (int i = 0; i < 2; i++) {
                    checkUserName(problems, prefix + "users[" + i + "]", users.get(i));
                }
                if (users.get(0) != null && users.get(0).equals(users.get(1))) {
                    problems.add(new ConfigProblem(prefix + "users", "the two user names must differ"));
                }
            }
            if (username != null) {
                problems.add(new ConfigProblem(prefix + "username", "is for single-user and dual-password; alternating-users takes users"));
            }
        } else if (users != null) {
            problems.add(new ConfigProblem(prefix + "users", "is for alternating-users only"));
        }
        int length = effectivePasswordLength();
        if (length < PasswordGenerator.MIN_LENGTH || length > PasswordGenerator.MAX_LENGTH) {
            problems.add(new ConfigProblem(prefix + "passwordLength",
                    "must be between " + PasswordGenerator.MIN_LENGTH + " and " + PasswordGenerator.MAX_LENGTH + " (was " + length + ")"));
        }
        if (verifyQuery != null && verifyQuery.isBlank()) {
            problems.add(new ConfigProblem(prefix + "verifyQuery", "must not be blank; leave it out to verify by logging in only"));
        }
        checkTimeout(problems, prefix + "connectTimeout", effectiveConnectTimeout(), Duration.ofMillis(250));
        Duration qt = effectiveQueryTimeout();
        checkTimeout(problems, prefix + "queryTimeout", qt, Duration.ofSeconds(1));
        if (qt.toNanosPart() != 0) {
            problems.add(new ConfigProblem(prefix + "queryTimeout", "must be whole seconds (JDBC counts query timeouts in seconds)"));
        }
        int pool = effectiveMaxPoolSize();
        if (pool < 1 || pool > MAX_POOL_SIZE) {
            problems.add(new ConfigProblem(prefix + "maxPoolSize", "must be between 1 and " + MAX_POOL_SIZE + " (was " + pool + ")"));
        }
        return problems;
    }

    private static void checkUserName(List<ConfigProblem> problems, String field, @Nullable String name) {
        if (name == null || name.isEmpty()) {
            problems.add(new ConfigProblem(field, "must not be empty"));
        } else if (name.length() > MAX_USER_LENGTH || name.indexOf('\0') >= 0) {
            problems.add(new ConfigProblem(field, "must be at most " + MAX_USER_LENGTH + " characters without NUL"));
        }
    }

    private static void checkTimeout(List<ConfigProblem> problems, String field, Duration d, Duration min) {
        if (d.compareTo(min) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
            problems.add(new ConfigProblem(field, "must be between " + human(min) + " and " + human(MAX_TIMEOUT) + " (was " + human(d) + ")"));
        }
    }

    private static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** Builds settings in code; {@link #build()} reports every problem at once. Not thread-safe. */
    public static final class Builder extends SqlSettingsBuilder<Builder> {
        private @Nullable String jdbcUrl;
        private @Nullable Strategy strategy;
        private @Nullable String accountHost;
        private @Nullable String username;
        private @Nullable List<String> users;
        private @Nullable String verifyQuery;
        private @Nullable Integer maxPoolSize;

        private Builder() {
            super(null, null, null);
        }

        public Builder jdbcUrl(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        public Builder strategy(Strategy strategy) {
            this.strategy = strategy;
            return this;
        }

        public Builder accountHost(String accountHost) {
            this.accountHost = accountHost;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder users(String first, String second) {
            List<String> pair = new ArrayList<>(2);
            pair.add(first);
            pair.add(second);
            this.users = pair;
            return this;
        }

        public Builder verifyQuery(String verifyQuery) {
            this.verifyQuery = verifyQuery;
            return this;
        }

        public Builder maxPoolSize(int maxPoolSize) {
            this.maxPoolSize = maxPoolSize;
            return this;
        }

        /** @throws InvalidConfigurationException listing every problem */
        public MariaDbRotatorSettings build() {
            MariaDbRotatorSettings s = unchecked();
            InvalidConfigurationException.throwIfAny(s.validate(""));
            return s;
        }

        /** The problems {@link #build()} would report; empty if it would succeed. */
        public List<ConfigProblem> problems() {
            return unchecked().validate("");
        }

        private MariaDbRotatorSettings unchecked() {
            return new MariaDbRotatorSettings(jdbcUrl, strategy, accountHost, username, users, passwordLength, verifyQuery,
                    connectTimeout, queryTimeout, maxPoolSize);
        }
    }
}
