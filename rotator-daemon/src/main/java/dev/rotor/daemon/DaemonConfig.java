package dev.rotor.daemon;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import dev.rotor.alert.AlertConfig;
import dev.rotor.api.ApiConfig;
import dev.rotor.audit.postgres.PostgresAuditConfig;
import dev.rotor.config.Durations;
import dev.rotor.config.RotorConfig;
import dev.rotor.daemon.internal.Tree;
import dev.rotor.daemon.internal.UnopenedStore;
import dev.rotor.kubernetes.KubernetesSyncTarget;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.spi.RotatorProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code rotor.yaml} as the daemon reads it: core's configuration, the policies, the scheduler
 * settings, the alert routes ({@code alerts:}), the admin API ({@code api:}) and the PostgreSQL
 * audit sink ({@code audit.postgres}), all checked in one pass (every problem at once, each
 * naming its field). Rotator settings are checked by their providers, offline.
 *
 * <pre>{@code
 * policies:
 *   - name: app-db
 *     ref: secret://main/db/app          # or selector: { store: main, prefix: api/, tags: {team: pay} }
 *     rotator: app-db                    # a name under rotators:
 *     interval: 90d                      # default by rotator type (90d or 180d)
 *     window: { days: [MON, TUE, WED, THU, FRI], hours: "02:00-05:00", zone: Europe/Berlin }
 *     jitter: 30m
 *     grace: 24h
 *     alerts: [ops]                      # names under alerts.routes
 *     sync:                              # after each rotation, copy CURRENT into a Kubernetes Secret
 *       kubernetes: { namespace: payments, secret: app-db, keys: password, restart: [payments-api] }
 * }</pre>
 *
 * @param alerts the {@code alerts:} section, or {@code null} when there is none (no alerting)
 * @param api the {@code api:} section, or {@code null} when there is none (no admin API)
 * @param auditPostgres the {@code audit.postgres} section, or {@code null} when there is none
 */
public record DaemonConfig(RotorConfig rotor, List<Policy> policies, SchedulerSettings scheduler, @Nullable AlertConfig alerts,
        @Nullable ApiConfig api, @Nullable PostgresAuditConfig auditPostgres) {

    private static final Set<String> POLICY_KEYS = Set.of("name", "ref", "selector", "rotator", "interval", "window", "jitter",
            "grace", "alerts", "sync");
    private static final Pattern HOURS = Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");

    public DaemonConfig {
        Objects.requireNonNull(rotor, "rotor");
        policies = List.copyOf(policies);
        Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Policies and scheduler only: no alerting, no admin API, no PostgreSQL audit sink. */
    public DaemonConfig(RotorConfig rotor, List<Policy> policies, SchedulerSettings scheduler) {
        this(rotor, policies, scheduler, null, null, null);
    }

    /**
     * Reads and checks a config file.
     *
     * @throws InvalidConfigurationException listing every problem of the whole file
     */
    public static DaemonConfig load(Path file, RotatorRegistry rotators) {
        Binder b = new Binder(rotators);
        RotorConfig rotor = RotorConfig.load(file, b);
        return new DaemonConfig(rotor, b.policies, b.scheduler, b.alerts, b.api, b.auditPostgres);
    }

    /** Checks YAML text as if it were a file in {@code baseDirectory}. @throws InvalidConfigurationException listing every problem */
    public static DaemonConfig parse(String yaml, Path baseDirectory, RotatorRegistry rotators) {
        Binder b = new Binder(rotators);
        RotorConfig rotor = RotorConfig.parse(yaml, baseDirectory, b);
        return new DaemonConfig(rotor, b.policies, b.scheduler, b.alerts, b.api, b.auditPostgres);
    }

    /** The policy of that name, if any. */
    public java.util.Optional<Policy> policy(String name) {
        return policies.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Binds the daemon's sections while core reads the file. */
    private static final class Binder implements RotorConfig.Check {
        private final RotatorRegistry registry;
        private List<Policy> policies = List.of();
        private SchedulerSettings scheduler = SchedulerSettings.defaults();
        private @Nullable AlertConfig alerts;
        private @Nullable ApiConfig api;
        private @Nullable PostgresAuditConfig auditPostgres;

        Binder(RotatorRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void check(RotorConfig config, List<ConfigProblem> problems) {
            checkRotators(config, problems);
            List<Policy> bound = bindPolicies(config, problems);
            SchedulerSettings s = SchedulerSettings.bind(config.section(RotorConfig.SCHEDULER), RotorConfig.SCHEDULER, problems);
            if (s != null) {
                scheduler = s;
            }
            policies = bound;
            // The other modules' sections, bound by their owners into the same list of problems.
            Object rawAlerts = config.section(RotorConfig.ALERTS);
            alerts = rawAlerts == null ? null : AlertConfig.bind(rawAlerts, RotorConfig.ALERTS, problems);
            Object rawApi = config.section(RotorConfig.API);
            api = rawApi == null ? null : ApiConfig.bind(rawApi, RotorConfig.API, problems);
            if (rawApi != null && config.audit() == null) {
                // The API audits every call and refuses access when it cannot (no audit, no access).
                problems.add(new ConfigProblem(RotorConfig.API, "needs an audit section: every API call is audited"));
            }
            Map<String, Object> rawPostgres = config.audit() == null ? null : config.audit().postgres();
            auditPostgres = rawPostgres == null ? null : PostgresAuditConfig.bind(rawPostgres, "audit.postgres", problems);
        }

        private void checkRotators(RotorConfig config, List<ConfigProblem> problems) {
            RotatorContext offline = new RotatorContext(Clock.systemUTC(), name -> null,
                    name -> config.stores().containsKey(name) ? new UnopenedStore(name) : null);
            for (RotatorConfig r : config.rotators().values()) {
                RotatorProvider provider = registry.find(r.type()).orElse(null);
                if (provider == null) {
                    problems.add(new ConfigProblem(r.fieldPath("type"),
                            "unknown rotator type '" + r.type() + "' (known: " + String.join(", ", registry.types()) + ")"));
                } else {
                    try {
                        problems.addAll(provider.validate(r, offline));
                    } catch (RuntimeException e) {
                        // A provider must not throw from validate; name the rotator, not the exception's text.
                        problems.add(new ConfigProblem("rotators." + r.name(), "settings could not be checked (" + e.getClass().getSimpleName() + ")"));
                    }
                }
            }
        }

        private List<Policy> bindPolicies(RotorConfig config, List<ConfigProblem> problems) {
            Object raw = config.section(RotorConfig.POLICIES);
            List<Policy> out = new ArrayList<>();
            if (raw == null) {
                return out;
            }
            if (!(raw instanceof List<?> list)) {
                problems.add(new ConfigProblem(RotorConfig.POLICIES, "must be a list of policies, " + Tree.found(raw)));
                return out;
            }
            Set<String> routes = alertRoutes(config.section(RotorConfig.ALERTS));
            Set<String> names = new HashSet<>();
            Map<SecretRef, String> refs = new LinkedHashMap<>();
            Map<String, String> syncTargets = new LinkedHashMap<>();
            for (int i = 0; i < list.size(); i++) {
                Policy p = policy(config, list.get(i), "policies[" + i + "]", routes, problems);
                if (p == null) {
                    continue;
                }
                if (!names.add(p.name())) {
                    problems.add(new ConfigProblem("policies[" + i + "].name", "'" + p.name() + "' names an earlier policy too"));
                    continue;
                }
                if (p.target() instanceof PolicyTarget.Single s) {
                    String other = refs.putIfAbsent(s.ref(), p.name());
                    if (other != null) {
                        problems.add(new ConfigProblem("policies[" + i + "].ref", s.ref().format() + " is rotated by policy '" + other + "' already"));
                        continue;
                    }
                }
                if (p.sync() != null) {
                    String other = syncTargets.putIfAbsent(p.sync().describe(), p.name());
                    if (other != null) {
                        problems.add(new ConfigProblem("policies[" + i + "].sync.kubernetes.secret", p.sync().describe()
                                + " is written by policy '" + other + "' already"));
                        continue;
                    }
                }
                out.add(p);
            }
            return out;
        }

        private @Nullable Policy policy(RotorConfig config, Object raw, String path, @Nullable Set<String> routes, List<ConfigProblem> problems) {
            Tree t = Tree.of(raw, path, problems, "name, ref or selector, rotator, interval, window, jitter, grace, alerts, sync");
            if (t == null) {
                return null;
            }
            int before = problems.size();
            t.unknownKeys(POLICY_KEYS);
            String name = t.string("name");
            if (name == null && !t.has("name")) {
                t.problem("name", "required: a unique name for the policy");
            } else if (name != null && !name.matches(Policy.NAME_PATTERN)) {
                t.problem("name", "must be 1 to 63 of A-Z a-z 0-9 . _ -, not starting with . _ -");
            }
            PolicyTarget target = target(config, t);
            String rotatorName = t.string("rotator");
            RotatorConfig rotator = null;
            if (rotatorName == null && !t.has("rotator")) {
                t.problem("rotator", "required: the name of a rotator under rotators:");
            } else if (rotatorName != null) {
                rotator = config.rotator(rotatorName);
                if (rotator == null) {
                    t.problem("rotator", "no rotator named '" + rotatorName + "' (configured: "
                            + (config.rotators().isEmpty() ? "none" : String.join(", ", config.rotators().keySet())) + ")");
                }
            }
            Duration interval = t.duration("interval");
            if (interval != null && interval.compareTo(Duration.ofSeconds(1)) < 0) {
                t.problem("interval", "must be at least 1s");
            } else if (interval == null && !t.has("interval") && rotator != null) {
                interval = Policy.defaultInterval(rotator.type()).orElse(null);
                if (interval == null) {
                    t.problem("interval", "required: rotator type '" + rotator.type() + "' has no default interval");
                }
            }
            Window window = window(t);
            Duration jitter = t.has("jitter") ? t.duration("jitter") : Policy.DEFAULT_JITTER;
            if (jitter != null && jitter.isNegative()) {
                t.problem("jitter", "must not be negative");
            } else if (jitter != null && window != null && !window.always() && jitter.compareTo(window.nominalLength()) >= 0) {
                t.problem("jitter", Durations.format(jitter) + " must be shorter than the window (" + Durations.format(window.nominalLength()) + ")");
            }
            Duration grace = t.has("grace") ? t.duration("grace") : Policy.DEFAULT_GRACE;
            if (grace != null && grace.isNegative()) {
                t.problem("grace", "must not be negative");
            }
            List<String> alerts = t.has("alerts") ? t.strings("alerts") : List.of();
            if (alerts != null && !alerts.isEmpty() && routes == null && config.section(RotorConfig.ALERTS) == null) {
                t.problem("alerts", "names alert routes, but there is no alerts: section defining them");
            } else if (alerts != null && routes != null) {
                for (int i = 0; i < alerts.size(); i++) {
                    if (!routes.contains(alerts.get(i))) {
                        problems.add(new ConfigProblem(t.field("alerts") + "[" + i + "]", "no alert route named '" + alerts.get(i)
                                + "' under alerts.routes (configured: " + (routes.isEmpty() ? "none" : String.join(", ", routes)) + ")"));
                    }
                }
            }
            KubernetesSyncTarget sync = null;
            if (t.has("sync")) {
                sync = KubernetesSyncTarget.bind(t.raw("sync"), t.field("sync"), problems);
                if (target instanceof PolicyTarget.Matching) {
                    t.problem("sync", "needs a policy of one ref: a selector's secrets cannot share one Kubernetes Secret");
                }
            }
            if (problems.size() != before || name == null || target == null || rotatorName == null || rotator == null
                    || interval == null || window == null || jitter == null || grace == null || alerts == null) {
                return null;
            }
            return new Policy(name, target, rotatorName, interval, window, jitter, grace, alerts, sync);
        }

        private @Nullable PolicyTarget target(RotorConfig config, Tree t) {
            boolean hasRef = t.has("ref");
            boolean hasSelector = t.has("selector");
            if (hasRef && hasSelector) {
                t.problem("selector", "give either ref or selector, not both");
                return null;
            }
            if (!hasRef && !hasSelector) {
                t.problem("ref", "required: a secret ref (secret://<store>/<path>) or a selector");
                return null;
            }
            if (hasRef) {
                String text = t.string("ref");
                if (text == null) {
                    return null;
                }
                SecretRef ref;
                try {
                    ref = SecretRef.parse(text);
                } catch (InvalidSecretRefException | IllegalArgumentException e) {
                    t.problem("ref", e.getMessage());
                    return null;
                }
                if (ref.field() != null || !ref.selector().equals(dev.rotor.Selector.CURRENT)) {
                    t.problem("ref", "names a secret, without #field, ?stage or ?version");
                    return null;
                }
                if (!config.stores().containsKey(ref.store())) {
                    t.problem("ref", "store '" + ref.store() + "' is not configured (configured: " + String.join(", ", config.stores().keySet()) + ")");
                    return null;
                }
                return new PolicyTarget.Single(ref);
            }
            Tree s = t.tree("selector", "store, prefix and tags");
            if (s == null) {
                return null;
            }
            s.unknownKeys(Set.of("store", "prefix", "tags"));
            String store = s.string("store");
            if (store == null && !s.has("store")) {
                s.problem("store", "required: the store whose secrets the selector picks");
            } else if (store != null && !config.stores().containsKey(store)) {
                s.problem("store", "'" + store + "' is not configured (configured: " + String.join(", ", config.stores().keySet()) + ")");
                store = null;
            }
            String prefix = "";
            Object rawPrefix = s.raw("prefix");
            if (rawPrefix != null) {
                if (rawPrefix instanceof String p) {
                    prefix = p;
                    if (!p.isEmpty()) {
                        try {
                            SecretRef.checkPath(p + "x");
                        } catch (RuntimeException e) {
                            s.problem("prefix", e.getMessage());
                            prefix = null;
                        }
                    }
                } else {
                    s.problem("prefix", "must be a string, " + Tree.found(rawPrefix));
                    prefix = null;
                }
            }
            Map<String, String> tags = new LinkedHashMap<>();
            Object rawTags = s.raw("tags");
            if (rawTags != null) {
                if (rawTags instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (e.getValue() instanceof String v) {
                            tags.put(String.valueOf(e.getKey()), v);
                        } else {
                            s.problem("tags." + e.getKey(), "must be a string, " + Tree.found(e.getValue()));
                            tags = null;
                            break;
                        }
                    }
                } else {
                    s.problem("tags", "must be a mapping of tag name to value, " + Tree.found(rawTags));
                    tags = null;
                }
            }
            // Every failing check above also clears the value it guards.
            if (store == null || prefix == null || tags == null) {
                return null;
            }
            return new PolicyTarget.Matching(store, prefix, tags);
        }

        private @Nullable Window window(Tree t) {
            if (!t.has("window")) {
                return Window.ALWAYS;
            }
            Tree w = t.tree("window", "days, hours and zone");
            if (w == null) {
                return null;
            }
            w.unknownKeys(Set.of("days", "hours", "zone"));
            boolean ok = true;
            Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
            if (w.has("days")) {
                List<String> names = w.strings("days");
                if (names == null) {
                    ok = false;
                } else if (names.isEmpty()) {
                    w.problem("days", "must name at least one day");
                    ok = false;
                } else {
                    days = EnumSet.noneOf(DayOfWeek.class);
                    for (int i = 0; i < names.size(); i++) {
                        DayOfWeek d = day(names.get(i));
                        if (d == null) {
                            w.problem("days[" + i + "]", "'" + names.get(i) + "' is not a day (MON, TUE, WED, THU, FRI, SAT, SUN)");
                            ok = false;
                        } else {
                            days.add(d);
                        }
                    }
                }
            }
            LocalTime start = LocalTime.MIDNIGHT;
            LocalTime end = LocalTime.MIDNIGHT;
            String hours = w.string("hours");
            if (hours != null) {
                Matcher m = HOURS.matcher(hours.strip());
                LocalTime[] parsed = m.matches() ? new LocalTime[] {time(m.group(1), m.group(2)), time(m.group(3), m.group(4))} : null;
                if (parsed == null || parsed[0] == null || parsed[1] == null || m.group(1).equals("24")) {
                    w.problem("hours", "'" + hours + "' is not a range of wall-clock times like 02:00-05:00 (24:00 may end a range)");
                    ok = false;
                } else {
                    start = parsed[0];
                    end = parsed[1];
                }
            } else if (w.has("hours")) {
                ok = false;
            }
            ZoneId zone = ZoneId.of("UTC");
            String z = w.string("zone");
            if (z != null) {
                try {
                    zone = ZoneId.of(z);
                } catch (DateTimeException e) {
                    w.problem("zone", "'" + z + "' is not a time zone (e.g. UTC, Europe/Berlin)");
                    ok = false;
                }
            } else if (w.has("zone")) {
                ok = false;
            }
            return ok ? new Window(days, start, end, zone) : null;
        }

        private static @Nullable LocalTime time(String h, String m) {
            if (h.equals("24") && m.equals("00")) {
                return LocalTime.MIDNIGHT;
            }
            try {
                return LocalTime.of(Integer.parseInt(h), Integer.parseInt(m));
            } catch (DateTimeException e) {
                return null;
            }
        }

        private static @Nullable DayOfWeek day(String name) {
            String n = name.strip().toUpperCase(Locale.ROOT);
            for (DayOfWeek d : DayOfWeek.values()) {
                if (d.name().equals(n) || d.name().substring(0, 3).equals(n)) {
                    return d;
                }
            }
            return null;
        }

        /** The names under {@code alerts.routes}, or {@code null} if that section is absent or not readable here (its owner reports it). */
        private static @Nullable Set<String> alertRoutes(@Nullable Object alerts) {
            if (alerts instanceof Map<?, ?> m && m.get("routes") instanceof Map<?, ?> routes) {
                Set<String> names = new java.util.TreeSet<>();
                routes.keySet().forEach(k -> names.add(String.valueOf(k)));
                return names;
            }
            return null;
        }
    }
}
