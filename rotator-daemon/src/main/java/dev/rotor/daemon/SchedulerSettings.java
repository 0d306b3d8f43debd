package dev.rotor.daemon;

import dev.rotor.ConfigProblem;
import dev.rotor.daemon.internal.Tree;
import dev.rotor.rotation.RotationOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code scheduler} section of {@code rotor.yaml}:
 *
 * <pre>{@code
 * scheduler:
 *   store: ram                 # or jdbc (then the jdbc block is required)
 *   jdbc:
 *     url: jdbc:postgresql://db:5432/rotor
 *     usernameEnv: ROTOR_DB_USER
 *     passwordEnv: ROTOR_DB_PASSWORD
 *     poolSize: 5
 *   clustered: true            # default true with jdbc: several daemons share the jobs
 *   instanceId: node-1         # default: generated (host name and time)
 *   checkinInterval: 2s        # how often a clustered node proves it is alive
 *   threads: 4                 # rotations run at once per daemon
 *   seed: 0                    # jitter seed
 *   overdueSlack: 1h           # after the due window closes, how long before a policy is overdue
 *   overdueCheck: 1m           # how often overdue policies are looked for
 *   leaseDuration: 5m          # a rotation's lease on its secret (a dead holder blocks this long)
 *   retry: { initial: 1m, max: 30m }   # backoff between attempts inside the window
 * }</pre>
 */
public record SchedulerSettings(Store store, @Nullable Jdbc jdbc, boolean clustered, @Nullable String instanceId,
        Duration checkinInterval, int threads, long seed, Duration overdueSlack, Duration overdueCheck,
        Duration leaseDuration, Duration retryInitial, Duration retryMax) {

    /** Where Quartz keeps its jobs and triggers. */
    public enum Store { RAM, JDBC }

    /**
     * A PostgreSQL database for Quartz's tables. The credentials are named, never written inline.
     */
    public record Jdbc(String url, @Nullable String usernameEnv, @Nullable String passwordEnv, int poolSize, String tablePrefix) {
        public Jdbc {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(tablePrefix, "tablePrefix");
        }
    }

    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> KEYS = Set.of("store", "jdbc", "clustered", "instanceId", "checkinInterval", "threads",
            "seed", "overdueSlack", "overdueCheck", "leaseDuration", "retry");

    public SchedulerSettings {
        Objects.requireNonNull(store, "store");
        if (store == Store.JDBC && jdbc == null) {
            throw new IllegalArgumentException("a jdbc store needs its jdbc settings");
        }
        if (clustered && store != Store.JDBC) {
            throw new IllegalArgumentException("only a jdbc store can be clustered");
        }
        Objects.requireNonNull(checkinInterval, "checkinInterval");
        Objects.requireNonNull(overdueSlack, "overdueSlack");
        Objects.requireNonNull(overdueCheck, "overdueCheck");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
    }

    /** A RAM store, four threads, seed 0, one hour of slack, a check every minute, backoff 1m to 30m. */
    public static SchedulerSettings defaults() {
        return new SchedulerSettings(Store.RAM, null, false, null, Duration.ofSeconds(2), 4, 0, Duration.ofHours(1),
                Duration.ofMinutes(1), RotationOptions.DEFAULT_LEASE_DURATION, Duration.ofMinutes(1), Duration.ofMinutes(30));
    }

    /** The bound section, or {@code null} after adding every problem (fields named {@code scheduler.*}). */
    public static @Nullable SchedulerSettings bind(@Nullable Object raw, String path, List<ConfigProblem> problems) {
        SchedulerSettings d = defaults();
        if (raw == null) {
            return d;
        }
        Tree t = Tree.of(raw, path, problems, "store, jdbc, clustered, threads, ...");
        if (t == null) {
            return null;
        }
        int before = problems.size();
        t.unknownKeys(KEYS);
        Store store = Store.RAM;
        String s = t.string("store");
        if (s != null) {
            switch (s) {
                case "ram" -> store = Store.RAM;
                case "jdbc" -> store = Store.JDBC;
                default -> t.problem("store", "'" + s + "' is not a job store (known: ram, jdbc)");
            }
        }
        Jdbc jdbc = null;
        Tree j = t.tree("jdbc", "url, usernameEnv, passwordEnv, poolSize");
        if (j != null) {
            j.unknownKeys(Set.of("url", "usernameEnv", "passwordEnv", "poolSize", "tablePrefix"));
            String url = j.string("url");
            if (url == null && !j.has("url")) {
                j.problem("url", "required: a PostgreSQL JDBC URL, e.g. jdbc:postgresql://db:5432/rotor");
            } else if (url != null && !url.startsWith("jdbc:postgresql:")) {
                j.problem("url", "must be a PostgreSQL JDBC URL (jdbc:postgresql:...)");
                url = null;
            } else if (url != null && (url.contains("password=") || url.contains("@"))) {
                j.problem("url", "must not hold credentials: name them with usernameEnv and passwordEnv");
                url = null;
            }
            String user = env(j, "usernameEnv");
            String password = env(j, "passwordEnv");
            Integer pool = j.integer("poolSize", 2, 100);
            String prefix = j.string("tablePrefix");
            if (prefix != null && !prefix.matches("[A-Za-z_][A-Za-z0-9_]{0,30}")) {
                j.problem("tablePrefix", "must be a SQL identifier prefix (letters, digits, _)");
            }
            if (url != null) {
                jdbc = new Jdbc(url, user, password, pool == null ? 5 : pool, prefix == null ? "QRTZ_" : prefix);
            }
        } else if (store == Store.JDBC && !t.has("jdbc")) {
            t.problem("jdbc", "required with store: jdbc");
        }
        if (jdbc != null && store != Store.JDBC && s != null) {
            t.problem("jdbc", "is only read with store: jdbc");
        }
        Boolean clustered = t.bool("clustered");
        if (Boolean.TRUE.equals(clustered) && store != Store.JDBC) {
            t.problem("clustered", "needs store: jdbc (a RAM store belongs to one process)");
        }
        String instanceId = t.string("instanceId");
        if (instanceId != null && !instanceId.matches("[A-Za-z0-9._:-]{1,80}")) {
            t.problem("instanceId", "must be 1 to 80 of A-Z a-z 0-9 . _ : -");
        }
        Duration checkin = between(t, "checkinInterval", Duration.ofMillis(500), Duration.ofMinutes(5), d.checkinInterval());
        Integer threads = t.integer("threads", 1, 64);
        Long seed = t.longValue("seed");
        Duration slack = between(t, "overdueSlack", Duration.ZERO, Duration.ofDays(30), d.overdueSlack());
        Duration check = between(t, "overdueCheck", Duration.ofSeconds(1), Duration.ofDays(1), d.overdueCheck());
        Duration lease = between(t, "leaseDuration", Duration.ofSeconds(1), Duration.ofDays(1), d.leaseDuration());
        Duration retryInitial = d.retryInitial();
        Duration retryMax = d.retryMax();
        Tree r = t.tree("retry", "initial and max");
        if (r != null) {
            r.unknownKeys(Set.of("initial", "max"));
            retryInitial = between(r, "initial", Duration.ofMillis(100), Duration.ofDays(1), d.retryInitial());
            retryMax = between(r, "max", Duration.ofMillis(100), Duration.ofDays(1), d.retryMax());
            if (retryInitial != null && retryMax != null && retryMax.compareTo(retryInitial) < 0) {
                r.problem("max", "must be at least retry.initial");
            }
        }
        if (problems.size() != before) {
            return null;
        }
        boolean isClustered = clustered != null ? clustered : store == Store.JDBC;
        return new SchedulerSettings(store, jdbc, isClustered, instanceId, checkin, threads == null ? d.threads() : threads,
                seed == null ? d.seed() : seed, slack, check, lease, retryInitial, retryMax);
    }

    private static @Nullable String env(Tree t, String key) {
        String name = t.string(key);
        if (name != null && !ENV.matcher(name).matches()) {
            t.problem(key, "'" + name + "' is not an environment variable name");
            return null;
        }
        return name;
    }

    private static @Nullable Duration between(Tree t, String key, Duration min, Duration max, Duration dflt) {
        if (!t.has(key)) {
            return dflt;
        }
        Duration v = t.duration(key);
        if (v != null && (v.compareTo(min) < 0 || v.compareTo(max) > 0)) {
            t.problem(key, "must be from " + dev.rotor.config.Durations.format(min) + " to " + dev.rotor.config.Durations.format(max));
            return null;
        }
        return v;
    }
}
