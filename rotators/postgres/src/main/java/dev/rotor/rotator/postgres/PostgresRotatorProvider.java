package dev.rotor.rotator.postgres;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link PostgresPasswordRotator}s from the plain settings of a policy (as read from
 * YAML). {@link #validate} checks them without any I/O; {@link #open} builds the rotator.
 *
 * <pre>{@code
 * rotator: postgres-password
 * settings:
 *   host: db.internal
 *   port: 5432
 *   database: app
 *   sslMode: verify-full
 *   strategy: alternating          # or single-user (then: role: app)
 *   roles: [app_a, app_b]
 *   groupRole: app
 *   admin:
 *     secret: secret://vault/db/rotor-admin      # {"username":..,"password":..}
 *     # or: usernameEnv: PG_ADMIN_USER
 *     #     passwordEnv: PG_ADMIN_PASSWORD
 * }</pre>
 *
 * Optional: {@code passwordLength} (40), {@code connectTimeout} (5s), {@code queryTimeout}
 * (30s), {@code poolSize} (4). Stateless and thread-safe.
 */
public final class PostgresRotatorProvider {

    private static final Set<String> KNOWN = Set.of("host", "port", "database", "sslMode", "strategy", "role", "roles",
            "groupRole", "passwordLength", "connectTimeout", "queryTimeout", "poolSize", "admin");
    private static final Set<String> ADMIN_KNOWN = Set.of("secret", "usernameEnv", "passwordEnv");

    public String type() {
        return PostgresPasswordRotator.TYPE;
    }

    /**
     * Every problem with {@code settings}, each naming its field as {@code prefix + "." + key}
     * (for example {@code policies.db.settings.port}); empty if they are valid. No I/O.
     */
    public List<ConfigProblem> validate(String prefix, Map<String, ?> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        bind(prefix, settings, problems);
        return problems;
    }

    /** The typed settings. @throws InvalidConfigurationException listing every problem */
    public PostgresRotatorSettings settings(String prefix, Map<String, ?> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        Bound bound = bind(prefix, settings, problems);
        InvalidConfigurationException.throwIfAny(problems);
        return bound.settings();
    }

    /**
     * A rotator for {@code settings}. The admin login comes from environment variables (read
     * through {@code env}) or from a secret in one of {@code stores} (by store name).
     *
     * @throws InvalidConfigurationException listing every problem, including an admin secret in
     *     a store that {@code stores} does not know
     */
    public PostgresPasswordRotator open(String prefix, Map<String, ?> settings, Function<String, @Nullable String> env,
            Function<String, @Nullable SecretStore> stores) {
        List<ConfigProblem> problems = new ArrayList<>();
        Bound bound = bind(prefix, settings, problems);
        InvalidConfigurationException.throwIfAny(problems);
        AdminCredentials admin;
        if (bound.adminSecret() != null) {
            SecretStore store = stores.apply(bound.adminSecret().store());
            if (store == null) {
                throw new InvalidConfigurationException(prefix + ".admin.secret",
                        "names store '" + bound.adminSecret().store() + "', which is not configured");
            }
            admin = AdminCredentials.fromSecret(store, bound.adminSecret().path());
        } else {
            admin = AdminCredentials.fromEnvironment(bound.usernameEnv(), bound.passwordEnv(), env);
        }
        return new PostgresPasswordRotator(bound.settings(), admin);
    }

    private record Bound(PostgresRotatorSettings settings, @Nullable SecretRef adminSecret, String usernameEnv, String passwordEnv) {}

    @SuppressWarnings("NullAway")
    private static Bound bind(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {
        Reader r = new Reader(prefix, map, problems);
        r.unknownKeys(KNOWN);
        PostgresRotatorSettings.Builder b = PostgresRotatorSettings.builder();
        String host = r.string("host");
        b.host(host);
        b.port(r.integer("port", PostgresRotatorSettings.DEFAULT_PORT));
        String database = r.string("database");
        b.database(database == null ? PostgresRotatorSettings.DEFAULT_DATABASE : database);
        b.sslMode(r.string("sslMode"));
        String strategy = r.string("strategy");
        boolean strategyReported = false;
        if (strategy != null) {
            try {
                b.strategy(Strategy.of(strategy));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(prefix + ".strategy", e.getMessage()));
                strategyReported = true;
            }
        }
        b.role(r.string("role"));
        b.roles(r.strings("roles"));
        b.groupRole(r.string("groupRole"));
        b.passwordLength(r.integer("passwordLength", PostgresRotatorSettings.DEFAULT_PASSWORD_LENGTH));
        b.connectTimeout(r.duration("connectTimeout", PostgresRotatorSettings.DEFAULT_CONNECT_TIMEOUT));
        b.queryTimeout(r.duration("queryTimeout", PostgresRotatorSettings.DEFAULT_QUERY_TIMEOUT));
        b.poolSize(r.integer("poolSize", PostgresRotatorSettings.DEFAULT_POOL_SIZE));

        SecretRef adminSecret = null;
        String usernameEnv = "";
        String passwordEnv = "";
        Map<String, ?> admin = r.map("admin");
        if (admin == null) {
            problems.add(new ConfigProblem(prefix + ".admin", "is required: either secret, or usernameEnv and passwordEnv"));
        } else {
            Reader a = new Reader(prefix + ".admin", admin, problems);
            a.unknownKeys(ADMIN_KNOWN);
            String secret = a.string("secret");
            String user = a.string("usernameEnv");
            String password = a.string("passwordEnv");
            if (secret != null && (user != null || password != null)) {
                problems.add(new ConfigProblem(prefix + ".admin", "give either secret, or usernameEnv and passwordEnv, not both"));
            } else if (secret != null) {
                try {
                    adminSecret = SecretRef.parse(secret);
                } catch (InvalidSecretRefException e) {
                    problems.add(new ConfigProblem(prefix + ".admin.secret", "is not a secret reference: " + e.getMessage()));
                }
            } else if (user == null || password == null) {
                problems.add(new ConfigProblem(prefix + ".admin",
                        "needs secret, or both usernameEnv and passwordEnv (names of environment variables)"));
            } else {
                usernameEnv = user;
                passwordEnv = password;
            }
        }
        PostgresRotatorSettings settings = null;
        try {
            settings = b.build();
        } catch (InvalidConfigurationException e) {
            for (ConfigProblem p : e.problems()) {
                if (!(strategyReported && p.field().equals("strategy"))) {
                    problems.add(new ConfigProblem(prefix + "." + p.field(), p.message()));
                }
            }
        }
        return new Bound(settings, adminSecret, usernameEnv, passwordEnv);
    }

    /** Reads typed values from a settings map, recording a problem for each bad one. */
    private static final class Reader {
        private final String prefix;
        private final Map<String, ?> map;
        private final List<ConfigProblem> problems;

        Reader(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {
            this.prefix = prefix;
            this.map = map;
            this.problems = problems;
        }

        void unknownKeys(Set<String> known) {
            for (String key : new TreeSet<>(map.keySet())) {
                if (!known.contains(key)) {
                    problems.add(new ConfigProblem(prefix + "." + key, "unknown setting (known: " + String.join(", ", new TreeSet<>(known)) + ")"));
                }
            }
        }

        @Nullable String string(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof String s) {
                return s;
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a string"));
            return null;
        }

        int integer(String key, int fallback) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Integer i) {
                return i;
            }
            if (v instanceof String s) {
                try {
                    return Integer.parseInt(s.strip());
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a whole number"));
            return fallback;
        }

        Duration duration(String key, Duration fallback) {
            Object v = map.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof String s) {
                try {
                    return Durations.parse(s);
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(prefix + "." + key, e.getMessage()));
                    return fallback;
                }
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a duration; " + Durations.FORMATS));
            return fallback;
        }

        List<String> strings(String key) {
            Object v = map.get(key);
            if (v == null) {
                return List.of();
            }
            if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
                return list.stream().map(String.class::cast).toList();
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a list of role names"));
            return List.of();
        }

        @SuppressWarnings("unchecked")
        @Nullable Map<String, ?> map(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof Map<?, ?> m && m.keySet().stream().allMatch(String.class::isInstance)) {
                return (Map<String, ?>) m;
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a map"));
            return null;
        }
    }
}
