package dev.rotor.rotator.postgres;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.rotator.sql.SqlSettingsBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where the PostgreSQL server is and which roles a {@link PostgresPasswordRotator} rotates.
 * The admin credentials are not part of these settings: they come from an {@link AdminCredentials}.
 *
 * <p>The roles are fixed here, not taken from the secret, so that a tampered secret cannot make
 * the rotator change the password of some other role.
 *
 * @param host the server's host name or address
 * @param port the server's port
 * @param database the database to connect to (admin and verification connections)
 * @param sslMode the JDBC driver's {@code sslmode}, or {@code null} for the driver's default
 * @param strategy single-user or alternating
 * @param role the login role (single-user only)
 * @param roles the two login roles (alternating only), e.g. {@code app_a} and {@code app_b}
 * @param groupRole the group role holding the privileges (alternating only, optional): preflight
 *     and verify check that the login roles have its privileges
 * @param passwordLength length of generated passwords, 32 to 128
 * @param connectTimeout how long to wait for a connection (admin or verification)
 * @param queryTimeout how long one statement may take before the connection is abandoned
 * @param poolSize the most admin connections open at once (bounds a batch's concurrency)
 */
public record PostgresRotatorSettings(
        String host,
        int port,
        String database,
        @Nullable String sslMode,
        Strategy strategy,
        @Nullable String role,
        List<String> roles,
        @Nullable String groupRole,
        int passwordLength,
        Duration connectTimeout,
        Duration queryTimeout,
        int poolSize) {

    public static final int DEFAULT_PORT = 5432;
    public static final String DEFAULT_DATABASE = "postgres";
    public static final int DEFAULT_PASSWORD_LENGTH = 40;
    public static final int MIN_PASSWORD_LENGTH = 32;
    public static final int MAX_PASSWORD_LENGTH = 128;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_POOL_SIZE = 4;

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    // PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes: a longer name would silently name another role.
    private static final int MAX_IDENTIFIER_BYTES = 63;
    // HikariCP refuses shorter connection timeouts.
    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);

    public PostgresRotatorSettings {
        // Not List.copyOf: a null element must become a reported problem, not a NullPointerException.
        roles = roles == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(roles));
        InvalidConfigurationException.throwIfAny(problems(host, port, database, sslMode, strategy, role, roles, groupRole,
                passwordLength, connectTimeout, queryTimeout, poolSize));
    }

    /** The login roles this rotator may change: one for single-user, two for alternating. */
    public List<String> loginRoles() {
        return strategy == Strategy.SINGLE_USER ? List.of(Objects.requireNonNull(role)) : roles;
    }

    /** The server as {@code host:port/database}, for messages. */
    public String target() {
        return host + ":" + port + "/" + database;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static List<ConfigProblem> problems(@Nullable String host, int port, @Nullable String database,
            @Nullable String sslMode, @Nullable Strategy strategy, @Nullable String role, List<String> roles,
            @Nullable String groupRole, int passwordLength, @Nullable Duration connectTimeout,
            @Nullable Duration queryTimeout, int poolSize) {
        List<ConfigProblem> p = new ArrayList<>();
        if (host == null || host.isBlank()) {
            p.add(new ConfigProblem("host", "is required"));
        }
        if (port < 1 || port > 65535) {
            p.add(new ConfigProblem("port", "must be between 1 and 65535"));
        }
        if (database == null || database.isBlank()) {
            p.add(new ConfigProblem("database", "is required"));
        }
        if (sslMode != null && !SSL_MODES.contains(sslMode)) {
            p.add(new ConfigProblem("sslMode", "must be one of " + SSL_MODES.stream().sorted().toList()));
        }
        if (strategy == null) {
            p.add(new ConfigProblem("strategy", "is required (single-user or alternating)"));
        } else if (strategy == Strategy.SINGLE_USER) {
            if (role == null) {
                p.add(new ConfigProblem("role", "is required for the single-user strategy"));
            } else {
                checkRoleName("role", role, p);
            }
            if (!roles.isEmpty()) {
                p.add(new ConfigProblem("roles", "is only for the alternating strategy (use role)"));
            }
            if (groupRole != null) {
                p.add(new ConfigProblem("groupRole", "is only for the alternating strategy"));
            }
        } else {
            if (role != null) {
                p.add(new ConfigProblem("role", "is only for the single-user strategy (use roles)"));
            }
            if (roles.size() != 2) {
                p.add(new ConfigProblem("roles", "the alternating strategy needs exactly two login roles"));
            } else if (roles.get(0) != null && roles.get(0).equals(roles.get(1))) {
                p.add(new ConfigProblem("roles", "the two login roles must differ"));
            }
            for (int i = 0; i < roles.size(); i++) {
                checkRoleName("roles[" + i + "]", roles.get(i), p);
            }
            if (groupRole != null) {
                checkRoleName("groupRole", groupRole, p);
                if (roles.contains(groupRole)) {
                    p.add(new ConfigProblem("groupRole", "must differ from the login roles"));
                }
            }
        }
        if (passwordLength < MIN_PASSWORD_LENGTH || passwordLength > MAX_PASSWORD_LENGTH) {
            p.add(new ConfigProblem("passwordLength", "must be between " + MIN_PASSWORD_LENGTH + " and " + MAX_PASSWORD_LENGTH));
        }
        if (connectTimeout == null || connectTimeout.compareTo(MIN_CONNECT_TIMEOUT) < 0) {
            p.add(new ConfigProblem("connectTimeout", "must be at least " + MIN_CONNECT_TIMEOUT.toMillis() + " ms"));
        }
        if (queryTimeout == null || queryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            p.add(new ConfigProblem("queryTimeout", "must be at least 1 s"));
        }
        if (poolSize < 1 || poolSize > 64) {
            p.add(new ConfigProblem("poolSize", "must be between 1 and 64"));
        }
        return p;
    }

    private static void checkRoleName(String field, @Nullable String name, List<ConfigProblem> p) {
        if (name == null || name.isBlank()) {
            p.add(new ConfigProblem(field, "must be a role name"));
        } else if (name.indexOf('\0') >= 0) {
            p.add(new ConfigProblem(field, "must not contain a NUL character"));
        } else if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            p.add(new ConfigProblem(field, "is longer than PostgreSQL's " + MAX_IDENTIFIER_BYTES + "-byte limit for names"));
        }
    }

    /** Builds settings; {@link #build()} reports every problem at once. Not thread-safe. */
    public static final class Builder extends SqlSettingsBuilder<Builder> {
        private @Nullable String host;
        private int port = DEFAULT_PORT;
        private String database = DEFAULT_DATABASE;
        private @Nullable String sslMode;
        private @Nullable Strategy strategy;
        private @Nullable String role;
        private List<String> roles = List.of();
        private @Nullable String groupRole;
        private int poolSize = DEFAULT_POOL_SIZE;

        private Builder() {
            super(DEFAULT_PASSWORD_LENGTH, DEFAULT_CONNECT_TIMEOUT, DEFAULT_QUERY_TIMEOUT);
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder sslMode(@Nullable String sslMode) {
            this.sslMode = sslMode;
            return this;
        }

        /** The single-user strategy on {@code role}. */
        public Builder singleUser(String role) {
            this.strategy = Strategy.SINGLE_USER;
            this.role = role;
            this.roles = List.of();
            return this;
        }

        /** The alternating strategy on two login roles; the first rotation switches to the one the secret does not name. */
        public Builder alternating(String firstRole, String secondRole) {
            this.strategy = Strategy.ALTERNATING;
            this.role = null;
            this.roles = java.util.Arrays.asList(firstRole, secondRole);
            return this;
        }

        public Builder strategy(@Nullable Strategy strategy) {
            this.strategy = strategy;
            return this;
        }

        public Builder role(@Nullable String role) {
            this.role = role;
            return this;
        }

        public Builder roles(List<String> roles) {
            this.roles = roles;
            return this;
        }

        public Builder groupRole(@Nullable String groupRole) {
            this.groupRole = groupRole;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        /** @throws InvalidConfigurationException listing every problem */
        @SuppressWarnings("NullAway")
        public PostgresRotatorSettings build() {
            // passwordLength starts at its default and its setter takes an int: never null.
            return new PostgresRotatorSettings(host, port, database, sslMode, strategy, role, roles, groupRole,
                    Objects.requireNonNull(passwordLength), connectTimeout, queryTimeout, poolSize);
        }
    }
}
