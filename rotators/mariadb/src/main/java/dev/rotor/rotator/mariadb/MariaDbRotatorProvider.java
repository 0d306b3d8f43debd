package dev.rotor.rotator.mariadb;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.config.Durations;
import dev.rotor.rotation.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link MariaDbPasswordRotator}s from the plain settings of a policy, as read from YAML.
 * {@link #validate} checks them without any I/O; {@link #open} builds the rotator.
 *
 * <pre>{@code
 * rotator: mariadb-password
 * settings:
 *   jdbcUrl: jdbc:mariadb://db.internal:3306/?sslMode=verify-full
 *   strategy: alternating-users        # single-user | alternating-users | dual-password
 *   users: [app_blue, app_green]       # alternating-users; single-user/dual-password: username
 *   accountHost: "%"
 *   verifyQuery: SELECT 1 FROM shop.orders LIMIT 1
 *   passwordLength: 32
 *   connectTimeout: 5s                 # or ISO-8601: PT5S
 *   queryTimeout: 30s
 *   maxPoolSize: 2
 *   admin:
 *     secret: secret://vault/db/rotor-admin     # {"username":..,"password":..}
 *     # or: username: rotor (or usernameEnv: MARIADB_ADMIN_USER)
 *     #     passwordEnv: MARIADB_ADMIN_PASSWORD
 * }</pre>
 *
 * A password is never written in the settings: {@code admin.password} is refused. Stateless and
 * thread-safe.
 */
public final class MariaDbRotatorProvider {

    private static final Set<String> KNOWN = new TreeSet<>(Set.of("jdbcUrl", "strategy", "accountHost", "username", "users",
            "passwordLength", "verifyQuery", "connectTimeout", "queryTimeout", "maxPoolSize", "admin"));
    private static final Set<String> ADMIN_KNOWN = new TreeSet<>(Set.of("secret", "username", "usernameEnv", "passwordEnv"));

    public String type() {
        return MariaDbPasswordRotator.TYPE;
    }

    /**
     * Every problem with {@code settings}, each naming its field as {@code prefix + "." + key}
     * (for example {@code policies.db.settings.users}); empty if they are valid. No I/O.
     */
    public List<ConfigProblem> validate(String prefix, Map<String, ?> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        bind(prefix, settings, problems);
        return problems;
    }

    /** The typed settings. @throws InvalidConfigurationException listing every problem */
    public MariaDbRotatorSettings settings(String prefix, Map<String, ?> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        Bound bound = bind(prefix, settings, problems);
        InvalidConfigurationException.throwIfAny(problems);
        return bound.settings();
    }

    /**
     * A rotator for {@code settings}. The admin login comes from environment variables (read
     * through {@code env}) or from the CURRENT version of a secret in one of {@code stores}
     * (looked up by store name).
     *
     * @throws InvalidConfigurationException listing every problem, including a missing
     *     environment variable or an admin secret in a store that {@code stores} does not know
     */
    public MariaDbPasswordRotator open(String prefix, Map<String, ?> settings, Function<String, @Nullable String> env,
            Function<String, @Nullable SecretStore> stores) {
        List<ConfigProblem> problems = new ArrayList<>();
        Bound bound = bind(prefix, settings, problems);
        InvalidConfigurationException.throwIfAny(problems);
        AdminCredentials admin = bound.admin().resolve(prefix + ".admin", env, stores);
        return MariaDbPasswordRotator.create(bound.settings(), admin);
    }

    // ---------------------------------------------------------------- binding

    private record Bound(MariaDbRotatorSettings settings, AdminSource admin) {}

    private static Bound bind(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {
        for (String key : map.keySet()) {
            if (!KNOWN.contains(key)) {
                problems.add(new ConfigProblem(prefix + "." + key, "unknown setting (known: " + String.join(", ", KNOWN) + ")"));
            }
        }
        Reader r = new Reader(prefix, map, problems);
        Strategy strategy = null;
        String strategyText = r.string("strategy");
        if (strategyText != null) {
            try {
                strategy = Strategy.fromId(strategyText);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(prefix + ".strategy", e.getMessage()));
            }
        }
        MariaDbRotatorSettings settings = new MariaDbRotatorSettings(r.string("jdbcUrl"), strategy, r.string("accountHost"),
                r.string("username"), r.stringList("users"), r.integer("passwordLength"), r.string("verifyQuery"),
                r.duration("connectTimeout"), r.duration("queryTimeout"), r.integer("maxPoolSize"));
        List<ConfigProblem> own = settings.validate(prefix + ".");
        // A setting that could not be read is reported once, as unreadable, not again as missing.
        own.removeIf(p -> problems.stream().anyMatch(q -> q.field().equals(p.field())));
        if (strategyText != null && strategy == null) {
            own.removeIf(p -> p.field().equals(prefix + ".strategy"));
        }
        problems.addAll(own);
        return new Bound(settings, AdminSource.bind(prefix + ".admin", map.get("admin"), problems));
    }

    /** Reads typed values out of a settings map, adding a problem per unreadable one. */
    private record Reader(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {

        @Nullable String string(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof String s) {
                return s;
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be text"));
            return null;
        }

        @Nullable Integer integer(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof Integer i) {
                return i;
            }
            if (v instanceof String s && s.strip().matches("\\d{1,9}")) {
                return Integer.parseInt(s.strip());
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a whole number"));
            return null;
        }

        @Nullable Duration duration(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof Duration d) {
                return d;
            }
            if (v instanceof String s) {
                try {
                    return Durations.parse(s);
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(prefix + "." + key, e.getMessage()));
                    return null;
                }
            }
            problems.add(new ConfigProblem(prefix + "." + key, Durations.FORMATS));
            return null;
        }

        @Nullable List<String> stringList(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof List<?> list && list.stream().allMatch(e -> e == null || e instanceof String)) {
                List<String> out = new ArrayList<>(list.size());
                list.forEach(e -> out.add((String) e));
                return out;
            }
            problems.add(new ConfigProblem(prefix + "." + key, "must be a list of user names"));
            return null;
        }
    }

    /** Where the admin login comes from: a secret, or environment variables (the user name may be given as is). */
    private record AdminSource(@Nullable SecretRef secret, @Nullable String username, @Nullable String usernameEnv,
            @Nullable String passwordEnv) {

        static AdminSource bind(String field, @Nullable Object value, List<ConfigProblem> problems) {
            if (!(value instanceof Map<?, ?> map)) {
                problems.add(new ConfigProblem(field, value == null
                        ? "is required: a secret (admin.secret) or environment variables (admin.usernameEnv or admin.username, and admin.passwordEnv)"
                        : "must be a map"));
                return new AdminSource(null, null, null, null);
            }
            for (Object key : map.keySet()) {
                if ("password".equals(key)) {
                    problems.add(new ConfigProblem(field + ".password",
                            "a password is never written in the settings; use admin.passwordEnv or admin.secret"));
                } else if (!ADMIN_KNOWN.contains(String.valueOf(key))) {
                    problems.add(new ConfigProblem(field + "." + key, "unknown setting (known: " + String.join(", ", ADMIN_KNOWN) + ")"));
                }
            }
            @SuppressWarnings("unchecked")
            Reader r = new Reader(field, (Map<String, ?>) map, problems);
            String secretText = r.string("secret");
            String username = r.string("username");
            String usernameEnv = r.string("usernameEnv");
            String passwordEnv = r.string("passwordEnv");
            SecretRef secret = null;
            if (secretText != null) {
                try {
                    secret = SecretRef.parse(secretText);
                } catch (InvalidSecretRefException e) {
                    problems.add(new ConfigProblem(field + ".secret", e.getMessage()));
                }
                if (username != null || usernameEnv != null || passwordEnv != null) {
                    problems.add(new ConfigProblem(field, "give either admin.secret or environment variables, not both"));
                }
            } else {
                if (username == null && usernameEnv == null) {
                    problems.add(new ConfigProblem(field + ".usernameEnv", "is required without admin.secret (or give admin.username)"));
                }
                if (username != null && usernameEnv != null) {
                    problems.add(new ConfigProblem(field + ".username", "give admin.username or admin.usernameEnv, not both"));
                }
                if (passwordEnv == null) {
                    problems.add(new ConfigProblem(field + ".passwordEnv", "is required without admin.secret"));
                }
            }
            return new AdminSource(secret, username, usernameEnv, passwordEnv);
        }

        AdminCredentials resolve(String field, Function<String, @Nullable String> env, Function<String, @Nullable SecretStore> stores) {
            if (secret != null) {
                SecretStore store = stores.apply(secret.store());
                if (store == null) {
                    throw new InvalidConfigurationException(field + ".secret", "no store named '" + secret.store() + "'");
                }
                Secret found;
                try {
                    found = store.get(secret.path(), Selector.CURRENT);
                } catch (RotorException e) {
                    throw new InvalidConfigurationException(List.of(new ConfigProblem(field + ".secret",
                            "cannot read " + secret + ": " + e.getMessage())));
                }
                try {
                    Login login = Login.of(found, Step.PREPARE);
                    return new AdminCredentials(login.username(), SecretValue.ofUtf8(login.password()));
                } catch (RotorException e) {
                    throw new InvalidConfigurationException(field + ".secret", secret + " is not a JSON object with 'username' and 'password'");
                }
            }
            List<ConfigProblem> problems = new ArrayList<>();
            String user = username;
            if (user == null) {
                user = env.apply(usernameEnv);
                if (user == null || user.isEmpty()) {
                    problems.add(new ConfigProblem(field + ".usernameEnv", "environment variable " + usernameEnv + " is not set"));
                }
            }
            String password = env.apply(passwordEnv);
            if (password == null || password.isEmpty()) {
                problems.add(new ConfigProblem(field + ".passwordEnv", "environment variable " + passwordEnv + " is not set"));
            }
            InvalidConfigurationException.throwIfAny(problems);
            return new AdminCredentials(user, SecretValue.ofUtf8(password));
        }
    }
}
