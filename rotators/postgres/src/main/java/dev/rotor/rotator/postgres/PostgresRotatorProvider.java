package dev.rotor.rotator.postgres;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.config.Durations;
import dev.rotor.rotator.sql.AdminSource;
import dev.rotor.rotator.sql.SettingsReader;
import dev.rotor.rotator.sql.SqlRotatorProvider;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link PostgresPasswordRotator}s from the plain settings of a policy (as read from
 * YAML). {@link #validate} checks them without any I/O; {@link #open} builds the rotator, its
 * admin login read from the environment or, at each new admin connection, from the secret.
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
public final class PostgresRotatorProvider extends SqlRotatorProvider<PostgresRotatorSettings, PostgresPasswordRotator> {

    private static final Set<String> KNOWN = Set.of("host", "port", "database", "sslMode", "strategy", "role", "roles",
            "groupRole", "passwordLength", "connectTimeout", "queryTimeout", "poolSize", "admin");
    private static final Set<String> ADMIN_KNOWN = Set.of("secret", "usernameEnv", "passwordEnv");
    private static final SettingsReader.Rules RULES = new SettingsReader.Rules("must be a string",
            "must be a duration; " + Durations.FORMATS, Pattern.compile("[+-]?\\p{Nd}+"));

    public PostgresRotatorProvider() {
        super(PostgresPasswordRotator.TYPE);
    }

    @Override
    protected PostgresPasswordRotator open(String prefix, PostgresRotatorSettings settings, AdminSource admin,
            Function<String, @Nullable String> env, Function<String, @Nullable SecretStore> stores) {
        AdminCredentials credentials;
        SecretRef secret = admin.secret();
        if (secret != null) {
            SecretStore store = stores.apply(secret.store());
            if (store == null) {
                throw new InvalidConfigurationException(prefix + ".admin.secret",
                        "names store '" + secret.store() + "', which is not configured");
            }
            credentials = AdminCredentials.fromSecret(store, secret.path());
        } else {
            credentials = AdminCredentials.fromEnvironment(Objects.requireNonNull(admin.usernameEnv()),
                    Objects.requireNonNull(admin.passwordEnv()), env);
        }
        return new PostgresPasswordRotator(settings, credentials);
    }

    @Override
    protected Bound<PostgresRotatorSettings> bind(String prefix, Map<String, ?> map, List<ConfigProblem> problems) {
        SettingsReader r = new SettingsReader(prefix, map, problems, RULES);
        r.unknownKeys(KNOWN);
        PostgresRotatorSettings.Builder b = PostgresRotatorSettings.builder();
        b.host(r.string("host"));
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
                r.problem("strategy", String.valueOf(e.getMessage()));
                strategyReported = true;
            }
        }
        b.role(r.string("role"));
        b.roles(Objects.requireNonNullElse(r.strings("roles", "must be a list of role names", false), List.of()));
        b.groupRole(r.string("groupRole"));
        b.passwordLength(r.integer("passwordLength", PostgresRotatorSettings.DEFAULT_PASSWORD_LENGTH));
        b.connectTimeout(r.duration("connectTimeout", PostgresRotatorSettings.DEFAULT_CONNECT_TIMEOUT));
        b.queryTimeout(r.duration("queryTimeout", PostgresRotatorSettings.DEFAULT_QUERY_TIMEOUT));
        b.poolSize(r.integer("poolSize", PostgresRotatorSettings.DEFAULT_POOL_SIZE));
        AdminSource admin = admin(r, problems);
        PostgresRotatorSettings settings = null;
        try {
            settings = b.build();
        } catch (InvalidConfigurationException e) {
            for (ConfigProblem p : e.problems()) {
                if (!(strategyReported && p.field().equals("strategy"))) {
                    r.problem(p.field(), p.message());
                }
            }
        }
        return new Bound<>(settings, admin);
    }

    /** Either a secret, or two environment variables (user name and password). */
    private static AdminSource admin(SettingsReader r, List<ConfigProblem> problems) {
        Map<String, ?> map = r.map("admin");
        if (map == null) {
            problems.add(new ConfigProblem(r.field("admin"), "is required: either secret, or usernameEnv and passwordEnv"));
            return AdminSource.NONE;
        }
        SettingsReader a = r.nested("admin", map);
        a.unknownKeys(ADMIN_KNOWN);
        String secret = a.string("secret");
        String user = a.string("usernameEnv");
        String password = a.string("passwordEnv");
        if (secret != null && (user != null || password != null)) {
            r.problem("admin", "give either secret, or usernameEnv and passwordEnv, not both");
        } else if (secret != null) {
            try {
                return new AdminSource(SecretRef.parse(secret), null, null, null);
            } catch (InvalidSecretRefException e) {
                a.problem("secret", "is not a secret reference: " + e.getMessage());
            }
        } else if (user == null || password == null) {
            r.problem("admin", "needs secret, or both usernameEnv and passwordEnv (names of environment variables)");
        } else {
            return new AdminSource(null, null, user, password);
        }
        return AdminSource.NONE;
    }
}
