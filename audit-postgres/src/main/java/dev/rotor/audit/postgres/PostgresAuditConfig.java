package dev.rotor.audit.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.config.CheckpointKeys;
import dev.rotor.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code audit.postgres} section of {@code rotor.yaml}:
 *
 * <pre>{@code
 * audit:
 *   postgres:
 *     url: jdbc:postgresql://db.internal:5432/rotor   # no credentials in the URL
 *     usernameEnv: ROTOR_AUDIT_DB_USER
 *     passwordEnv: ROTOR_AUDIT_DB_PASSWORD
 *     table: rotor_audit          # default; <table>_mark holds the signed head and anchor
 *     retention: 90d              # rows older than this are pruned (default 90d)
 *     pruneEvery: 1h              # default 1h
 *     poolSize: 2                 # HikariCP connections (default 2: the writer and pruning)
 *     keyEnv: ROTOR_AUDIT_KEY     # base64 HMAC key signing the head and anchor (optional)
 * }</pre>
 *
 * Credentials come only from environment variables, never from the file.
 */
public record PostgresAuditConfig(
        String url,
        String usernameEnv,
        @Nullable String passwordEnv,
        String table,
        Duration retention,
        Duration pruneEvery,
        int poolSize,
        @Nullable String keyEnv) {

    private static final Set<String> KEYS = Set.of("url", "usernameEnv", "passwordEnv", "table", "retention", "pruneEvery",
            "poolSize", "keyEnv");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    public static final int DEFAULT_POOL_SIZE = 2;

    /**
     * Binds the raw {@code audit.postgres} tree, adding every problem (each naming its field under
     * {@code fieldPath}) to {@code problems}.
     *
     * @return the configuration, or null if {@code raw} had problems
     */
    public static @Nullable PostgresAuditConfig bind(@Nullable Object raw, String fieldPath, List<ConfigProblem> problems) {
        if (!(raw instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem(fieldPath, "must be a mapping with url, usernameEnv and passwordEnv"));
            return null;
        }
        int before = problems.size();
        for (Object k : new TreeSet<>(map.keySet().stream().map(String::valueOf).toList())) {
            if (!KEYS.contains(k)) {
                problems.add(new ConfigProblem(fieldPath + "." + k, "unknown key (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")"));
            }
        }
        String url = text(map, "url", fieldPath, problems, true);
        if (url != null) {
            String lower = url.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("jdbc:postgresql:")) {
                problems.add(new ConfigProblem(fieldPath + ".url", "must be a jdbc:postgresql: URL"));
            } else if (lower.contains("password=") || lower.matches("jdbc:postgresql://[^/?]*@.*")) {
                problems.add(new ConfigProblem(fieldPath + ".url", "must not hold credentials; use usernameEnv and passwordEnv"));
            }
        }
        String usernameEnv = envName(map, "usernameEnv", fieldPath, problems, true);
        String passwordEnv = envName(map, "passwordEnv", fieldPath, problems, false);
        String keyEnv = envName(map, "keyEnv", fieldPath, problems, false);
        String table = text(map, "table", fieldPath, problems, false);
        Duration retention = duration(map, "retention", fieldPath, problems, PostgresAuditOptions.DEFAULT_RETENTION);
        Duration pruneEvery = duration(map, "pruneEvery", fieldPath, problems, PostgresAuditOptions.DEFAULT_PRUNE_EVERY);
        int poolSize = DEFAULT_POOL_SIZE;
        Object pool = map.get("poolSize");
        if (pool != null) {
            if (pool instanceof Integer n && n >= 1 && n <= 16) {
                poolSize = n;
            } else {
                problems.add(new ConfigProblem(fieldPath + ".poolSize", "must be a whole number from 1 to 16"));
            }
        }
        if (problems.size() != before) {
            return null;
        }
        try {
            // The options check the table name and the durations the same way the sink will.
            new PostgresAuditOptions(table == null ? PostgresAuditOptions.DEFAULT_TABLE : table, retention, pruneEvery,
                    PostgresAuditOptions.DEFAULT_MAX_BATCH, null, Clock.systemUTC());
        } catch (InvalidConfigurationException e) {
            for (ConfigProblem p : e.problems()) {
                problems.add(new ConfigProblem(fieldPath + "." + p.field(), p.message()));
            }
            return null;
        }
        return new PostgresAuditConfig(url, usernameEnv, passwordEnv, table == null ? PostgresAuditOptions.DEFAULT_TABLE : table,
                retention, pruneEvery, poolSize, keyEnv);
    }

    private static @Nullable String text(Map<?, ?> map, String key, String fieldPath, List<ConfigProblem> problems,
            boolean required) {
        Object v = map.get(key);
        if (v == null) {
            if (required) {
                problems.add(new ConfigProblem(fieldPath + "." + key, "is required"));
            }
            return null;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            problems.add(new ConfigProblem(fieldPath + "." + key, "must be a non-blank string"));
            return null;
        }
        return s;
    }

    private static @Nullable String envName(Map<?, ?> map, String key, String fieldPath, List<ConfigProblem> problems,
            boolean required) {
        String name = text(map, key, fieldPath, problems, required);
        if (name != null && !ENV_NAME.matcher(name).matches()) {
            problems.add(new ConfigProblem(fieldPath + "." + key, "'" + name + "' is not an environment variable name"));
            return null;
        }
        return name;
    }

    private static Duration duration(Map<?, ?> map, String key, String fieldPath, List<ConfigProblem> problems, Duration dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String s)) {
            problems.add(new ConfigProblem(fieldPath + "." + key, "must be a duration; " + Durations.FORMATS));
            return dflt;
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(fieldPath + "." + key, e.getMessage()));
            return dflt;
        }
    }

    /**
     * Opens a HikariCP pool from this configuration (credentials read from the environment) and a
     * sink on it that owns the pool and closes it on {@link PostgresAuditSink#close()}.
     *
     * @param environment where the variables are looked up ({@code System::getenv})
     * @throws InvalidConfigurationException if a variable is missing or the key is invalid, naming
     *     the field ({@code audit.postgres.passwordEnv}, ...)
     * @throws AuditUnavailableException if the database cannot be reached or the schema not created
     */
    public PostgresAuditSink open(Function<String, @Nullable String> environment, Clock clock) {
        List<ConfigProblem> problems = new ArrayList<>();
        String username = environment.apply(usernameEnv);
        if (username == null || username.isBlank()) {
            problems.add(new ConfigProblem("audit.postgres.usernameEnv", "environment variable " + usernameEnv + " is not set"));
        }
        String password = null;
        if (passwordEnv != null) {
            password = environment.apply(passwordEnv);
            if (password == null) {
                problems.add(new ConfigProblem("audit.postgres.passwordEnv", "environment variable " + passwordEnv + " is not set"));
            }
        }
        byte[] key = keyEnv == null ? null : CheckpointKeys.fromEnvironment("audit.postgres.keyEnv", keyEnv, environment, problems);
        InvalidConfigurationException.throwIfAny(problems);
        try {
            HikariConfig hikari = new HikariConfig();
            hikari.setPoolName("rotor-audit-postgres");
            hikari.setJdbcUrl(url);
            hikari.setUsername(username);
            hikari.setPassword(password);
            hikari.setMaximumPoolSize(poolSize);
            hikari.setMinimumIdle(1);
            hikari.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
            // One batch of inserts goes out as multi-row INSERTs.
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
            HikariDataSource pool;
            try {
                pool = new HikariDataSource(hikari);
            } catch (RuntimeException e) {
                throw new AuditUnavailableException("cannot connect to the PostgreSQL audit database " + url + ": " + e.getMessage(), e);
            }
            PostgresAuditOptions options = new PostgresAuditOptions(table, retention, pruneEvery,
                    PostgresAuditOptions.DEFAULT_MAX_BATCH, key, clock);
            try {
                return PostgresAuditSink.open(pool, options, pool);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }
}
