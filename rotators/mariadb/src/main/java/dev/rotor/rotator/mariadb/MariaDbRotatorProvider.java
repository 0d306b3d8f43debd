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
import dev.rotor.rotator.sql.AdminSource;
import dev.rotor.rotator.sql.SettingsReader;
import dev.rotor.rotator.sql.SqlRotatorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link MariaDbPasswordRotator}s from the plain settings of a policy, as read from YAML.
 * {@link #validate} checks them without any I/O; {@link #open} builds the rotator, its admin
 * login read once from the environment or from the CURRENT version of the secret.
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
public final class MariaDbRotatorProvider extends SqlRotatorProvider<MariaDbRotatorSettings, MariaDbPasswordRotator> {

    private static final Set<String> KNOWN = Set.of("jdbcUrl", "strategy", "accountHost", "username", "users",
            "passwordLength", "verifyQuery", "connectTimeout", "queryTimeout", "maxPoolSize", "admin");
    private static final Set<String> ADMIN_KNOWN = new TreeSet<>(Set.of("secret", "username", "usernameEnv", "passwordEnv"));
    private static final SettingsReader.Rules RULES = new SettingsReader.Rules("must be text", Durations.FORMATS,
            Pattern.compile("\\d{1,9}"));

    public MariaDbRotatorProvider() {
        super(MariaDbPasswordRotator.TYPE);
    }

    /**
     * The rotator, its admin login read now; the missing environment variables or the unreadable
     * admin secret are configuration problems.
     */
    @Override
    protected MariaDbPasswordRotator open(String prefix, MariaDbRotatorSettings settings, AdminSource admin,
            Function<String, @Nullable String> env, Function<String, @Nullable SecretStore> stores) {
        return MariaDbPasswordRotator.create(settings, resolve(admin, prefix + ".admin", env, stores));
    }

    // ---------------------------------------------------------------- binding

    @Override
    protected Bound<MariaDbRotatorSettings> bind(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {
        SettingsReader r = new SettingsReader(prefix, map, problems, RULES);
        r.unknownKeys(KNOWN);
        Strategy strategy = null;
        String strategyText = r.string("strategy");
        if (strategyText != null) {
            try {
                strategy = Strategy.fromId(strategyText);
            } catch (IllegalArgumentException e) {
                r.problem("strategy", String.valueOf(e.getMessage()));
            }
        }
        MariaDbRotatorSettings settings = new MariaDbRotatorSettings(r.string("jdbcUrl"), strategy, r.string("accountHost"),
                r.string("username"), r.strings("users", "must be a list of user names", true), r.integer("passwordLength"),
                r.string("verifyQuery"), r.duration("connectTimeout"), r.duration("queryTimeout"), r.integer("maxPoolSize"));
        List<ConfigProblem> own = settings.validate(prefix + ".");
        // A setting that could not be read is reported once, as unreadable, not again as missing.
        own.removeIf(p -> problems.stream().anyMatch(q -> q.field().equals(p.field())));
        if (strategyText != null && strategy == null) {
            own.removeIf(p -> p.field().equals(prefix + ".strategy"));
        }
        problems.addAll(own);
        return new Bound<>(settings, admin(prefix + ".admin", map.get("admin"), problems));
    }

    /** A secret, or environment variables (the user name may be given as is); never a password. */
    private static AdminSource admin(String field, @Nullable Object value, List<ConfigProblem> problems) {
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem(field, value == null
                    ? "is required: a secret (admin.secret) or environment variables (admin.usernameEnv or admin.username, and admin.passwordEnv)"
                    : "must be a map"));
            return AdminSource.NONE;
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
        SettingsReader r = new SettingsReader(field, (Map<String, ?>) map, problems, RULES);
        String secretText = r.string("secret");
        String username = r.string("username");
        String usernameEnv = r.string("usernameEnv");
        String passwordEnv = r.string("passwordEnv");
        SecretRef secret = null;
        if (secretText != null) {
            try {
                secret = SecretRef.parse(secretText);
            } catch (InvalidSecretRefException e) {
                r.problem("secret", String.valueOf(e.getMessage()));
            }
            if (username != null || usernameEnv != null || passwordEnv != null) {
                problems.add(new ConfigProblem(field, "give either admin.secret or environment variables, not both"));
            }
        } else {
            if (username == null && usernameEnv == null) {
                r.problem("usernameEnv", "is required without admin.secret (or give admin.username)");
            }
            if (username != null && usernameEnv != null) {
                r.problem("username", "give admin.username or admin.usernameEnv, not both");
            }
            if (passwordEnv == null) {
                r.problem("passwordEnv", "is required without admin.secret");
            }
        }
        return new AdminSource(secret, username, usernameEnv, passwordEnv);
    }

    private static AdminCredentials resolve(AdminSource admin, String field, Function<String, @Nullable String> env,
            Function<String, @Nullable SecretStore> stores) {
        SecretRef secret = admin.secret();
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
        String user = admin.username();
        if (user == null) {
            user = env.apply(Objects.requireNonNull(admin.usernameEnv()));
            if (user == null || user.isEmpty()) {
                problems.add(new ConfigProblem(field + ".usernameEnv", "environment variable " + admin.usernameEnv() + " is not set"));
            }
        }
        String password = env.apply(Objects.requireNonNull(admin.passwordEnv()));
        if (password == null || password.isEmpty()) {
            problems.add(new ConfigProblem(field + ".passwordEnv", "environment variable " + admin.passwordEnv() + " is not set"));
        }
        InvalidConfigurationException.throwIfAny(problems);
        return new AdminCredentials(user, SecretValue.ofUtf8(password));
    }
}
