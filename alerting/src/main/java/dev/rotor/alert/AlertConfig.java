package dev.rotor.alert;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code alerts:} section of {@code rotor.yaml}:
 * <pre>{@code
 * alerts:
 *   routes:
 *     ops:
 *       - { type: webhook, url: https://hooks.example/rotor, secretEnv: ROTOR_WEBHOOK_KEY }
 *       - { type: slack, urlEnv: ROTOR_SLACK_WEBHOOK_URL }
 *       - { type: pagerduty, routingKeyEnv: ROTOR_PAGERDUTY_KEY }   # endpoint, source: optional
 *       - { type: smtp, host: smtp.example, port: 587, security: starttls, from: rotor@example,
 *           to: [ops@example], username: rotor, passwordEnv: ROTOR_SMTP_PASSWORD }
 *   defaultRoutes: [ops]          # optional; default every route
 *   renotify: 4h
 *   unusualAccess: { readsPerMinute: 120, learningPeriod: 7d }
 *   authFailures: { threshold: 20, window: 1m }
 *   delivery: { queueSize: 1000, maxAttempts: 5, backoff: 2s, maxBackoff: 1m, timeout: 10s }
 * }</pre>
 * Credentials are never in the file: the webhook key, Slack's URL (it holds Slack's token),
 * PagerDuty's routing key and the SMTP password are named by environment variables, read when
 * {@link #toBuilder} builds the sinks.
 *
 * @param routes route name to its sinks, in file order
 * @param defaultRoutes routes for alerts whose policy names none; null for every route
 */
public record AlertConfig(Map<String, List<SinkConfig>> routes, @Nullable List<String> defaultRoutes, Duration renotify,
        int readsPerMinute, Duration learningPeriod, int authFailureThreshold, Duration authFailureWindow, DeliveryOptions delivery) {

    /** What a route name looks like. */
    public static final Pattern ROUTE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public AlertConfig {
        Objects.requireNonNull(routes, "routes");
        Map<String, List<SinkConfig>> copy = new LinkedHashMap<>();
        routes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        routes = java.util.Collections.unmodifiableMap(copy);
        defaultRoutes = defaultRoutes == null ? null : List.copyOf(defaultRoutes);
        Objects.requireNonNull(renotify, "renotify");
        Objects.requireNonNull(learningPeriod, "learningPeriod");
        Objects.requireNonNull(authFailureWindow, "authFailureWindow");
        Objects.requireNonNull(delivery, "delivery");
    }

    /** One sink of a route, as configured (credentials named, not held). */
    public sealed interface SinkConfig {
        /** @param secretEnv the environment variable holding the HMAC key */
        record Webhook(URI url, String secretEnv) implements SinkConfig {}

        /** @param urlEnv the environment variable holding the incoming-webhook URL */
        record Slack(String urlEnv) implements SinkConfig {}

        /** @param routingKeyEnv the environment variable holding the integration's routing key */
        record PagerDuty(String routingKeyEnv, URI endpoint, String source) implements SinkConfig {}

        /** @param passwordEnv the environment variable holding the password; null without login */
        record Smtp(String host, int port, SmtpSink.Security security, String from, List<String> to, @Nullable String username,
                @Nullable String passwordEnv) implements SinkConfig {}
    }

    /** The names of the configured routes, for checking {@code policies[].alerts}. */
    public Set<String> routeNames() {
        return routes.keySet();
    }

    /** Adds a problem for each name in {@code names} (a policy's {@code alerts}) that is no route. */
    public void checkRouteNames(List<String> names, String fieldPath, List<ConfigProblem> problems) {
        for (int i = 0; i < names.size(); i++) {
            if (!routes.containsKey(names.get(i))) {
                problems.add(new ConfigProblem(fieldPath + "[" + i + "]", "no alert route named '" + names.get(i) + "' (known: "
                        + String.join(", ", routes.keySet()) + ")"));
            }
        }
    }

    /**
     * A builder with this configuration's routes (sinks made now, credentials read from
     * {@code env}), re-notify interval, rules and delivery options; add the clock and the policy
     * routes, then build.
     *
     * @throws InvalidConfigurationException naming every unset or unusable environment variable
     */
    public Alerting.Builder toBuilder(Function<String, @Nullable String> env, Clock clock) {
        List<ConfigProblem> problems = new ArrayList<>();
        Alerting.Builder b = Alerting.builder().clock(clock).renotify(renotify).unusualAccess(readsPerMinute, learningPeriod)
                .authFailures(authFailureThreshold, authFailureWindow).delivery(delivery);
        List<AlertSink> made = new ArrayList<>();
        routes.forEach((name, sinks) -> {
            List<AlertSink> route = new ArrayList<>();
            for (int i = 0; i < sinks.size(); i++) {
                String field = "alerts.routes." + name + "[" + i + "]";
                AlertSink s = make(sinks.get(i), field, env, clock, problems);
                if (s != null) {
                    route.add(s);
                    made.add(s);
                }
            }
            if (route.size() == sinks.size()) {
                b.route(name, route);
            }
        });
        if (!problems.isEmpty()) {
            made.forEach(AlertSink::close);
            throw new InvalidConfigurationException(problems);
        }
        if (defaultRoutes != null) {
            b.defaultRoutes(defaultRoutes);
        }
        return b;
    }

    private @Nullable AlertSink make(SinkConfig c, String field, Function<String, @Nullable String> env, Clock clock,
            List<ConfigProblem> problems) {
        return switch (c) {
            case SinkConfig.Webhook w -> {
                String key = fromEnv(env, w.secretEnv(), field + ".secretEnv", problems);
                if (key == null) {
                    yield null;
                }
                if (key.getBytes(StandardCharsets.UTF_8).length < 16) {
                    problems.add(new ConfigProblem(field + ".secretEnv", "environment variable " + w.secretEnv()
                            + " must hold a key of at least 16 bytes"));
                    yield null;
                }
                yield new WebhookSink(w.url(), key.getBytes(StandardCharsets.UTF_8), clock, delivery.timeout());
            }
            case SinkConfig.Slack s -> {
                String url = fromEnv(env, s.urlEnv(), field + ".urlEnv", problems);
                if (url == null) {
                    yield null;
                }
                URI uri = httpUri(url.strip());
                if (uri == null) {
                    // Quote nothing of it: the URL holds Slack's token.
                    problems.add(new ConfigProblem(field + ".urlEnv", "environment variable " + s.urlEnv() + " does not hold an http(s) URL"));
                    yield null;
                }
                yield new SlackSink(uri, delivery.timeout());
            }
            case SinkConfig.PagerDuty p -> {
                String key = fromEnv(env, p.routingKeyEnv(), field + ".routingKeyEnv", problems);
                yield key == null ? null : new PagerDutySink(p.endpoint(), key.strip(), p.source(), delivery.timeout());
            }
            case SinkConfig.Smtp m -> {
                String password = null;
                if (m.passwordEnv() != null) {
                    password = fromEnv(env, m.passwordEnv(), field + ".passwordEnv", problems);
                    if (password == null) {
                        yield null;
                    }
                }
                try {
                    yield new SmtpSink(new SmtpSink.Options(m.host(), m.port(), m.security(), m.from(), m.to(), m.username(),
                            delivery.timeout()), password);
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(field, e.getMessage()));
                    yield null;
                }
            }
        };
    }

    private static @Nullable String fromEnv(Function<String, @Nullable String> env, String name, String field, List<ConfigProblem> problems) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            problems.add(new ConfigProblem(field, "environment variable " + name + " is not set"));
            return null;
        }
        return v;
    }

    // ---- binding -----------------------------------------------------------------------------

    /**
     * Binds the raw {@code alerts:} tree (maps, lists, strings and numbers as a YAML reader gives
     * them). Appends a problem for every bad field, each named from {@code fieldPath} (e.g.
     * {@code alerts.routes.ops[0].url}).
     *
     * @return the configuration, or null if there was any problem
     */
    public static @Nullable AlertConfig bind(@Nullable Object rawTree, String fieldPath, List<ConfigProblem> problems) {
        int before = problems.size();
        Tree t = new Tree(problems);
        Map<String, Object> root = rawTree == null ? Map.of() : t.map(rawTree, fieldPath);
        if (root == null) {
            return null;
        }
        t.known(root, fieldPath, "routes", "defaultRoutes", "renotify", "unusualAccess", "authFailures", "delivery");
        Map<String, List<SinkConfig>> routes = new LinkedHashMap<>();
        Object rawRoutes = root.get("routes");
        if (rawRoutes != null) {
            Map<String, Object> rm = t.map(rawRoutes, fieldPath + ".routes");
            if (rm != null) {
                rm.forEach((name, sinks) -> {
                    String rf = fieldPath + ".routes." + name;
                    if (!ROUTE_NAME.matcher(name).matches()) {
                        problems.add(new ConfigProblem(rf, "a route name must match " + ROUTE_NAME));
                    }
                    List<Object> list = t.list(sinks, rf);
                    if (list == null) {
                        return;
                    }
                    if (list.isEmpty()) {
                        problems.add(new ConfigProblem(rf, "a route needs at least one sink"));
                    }
                    List<SinkConfig> bound = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) {
                        SinkConfig s = bindSink(t, list.get(i), rf + "[" + i + "]");
                        if (s != null) {
                            bound.add(s);
                        }
                    }
                    routes.put(name, bound);
                });
            }
        }
        List<String> defaultRoutes = null;
        if (root.containsKey("defaultRoutes")) {
            defaultRoutes = t.strings(root.get("defaultRoutes"), fieldPath + ".defaultRoutes");
            if (defaultRoutes != null) {
                for (int i = 0; i < defaultRoutes.size(); i++) {
                    if (!routes.containsKey(defaultRoutes.get(i))) {
                        problems.add(new ConfigProblem(fieldPath + ".defaultRoutes[" + i + "]", "no route named '" + defaultRoutes.get(i) + "'"));
                    }
                }
            }
        }
        Duration renotify = t.duration(root, "renotify", fieldPath, Duration.ofHours(4), false);

        Map<String, Object> ua = t.section(root, "unusualAccess", fieldPath);
        t.known(ua, fieldPath + ".unusualAccess", "readsPerMinute", "learningPeriod");
        int readsPerMinute = t.integer(ua, "readsPerMinute", fieldPath + ".unusualAccess", 120, 1, 1_000_000_000);
        Duration learning = t.duration(ua, "learningPeriod", fieldPath + ".unusualAccess", Duration.ofDays(7), false);

        Map<String, Object> af = t.section(root, "authFailures", fieldPath);
        t.known(af, fieldPath + ".authFailures", "threshold", "window");
        int threshold = t.integer(af, "threshold", fieldPath + ".authFailures", 20, 1, 1_000_000);
        Duration window = t.duration(af, "window", fieldPath + ".authFailures", Duration.ofMinutes(1), true);

        Map<String, Object> dl = t.section(root, "delivery", fieldPath);
        String df = fieldPath + ".delivery";
        t.known(dl, df, "queueSize", "maxAttempts", "backoff", "maxBackoff", "timeout");
        DeliveryOptions dd = DeliveryOptions.defaults();
        int queueSize = t.integer(dl, "queueSize", df, dd.queueSize(), 1, 1_000_000);
        int maxAttempts = t.integer(dl, "maxAttempts", df, dd.maxAttempts(), 1, 100);
        Duration backoff = t.duration(dl, "backoff", df, dd.initialBackoff(), false);
        Duration maxBackoff = t.duration(dl, "maxBackoff", df, dd.maxBackoff(), false);
        Duration timeout = t.duration(dl, "timeout", df, dd.timeout(), true);
        if (backoff != null && maxBackoff != null && maxBackoff.compareTo(backoff) < 0) {
            problems.add(new ConfigProblem(df + ".maxBackoff", "must not be shorter than backoff"));
        }
        if (problems.size() > before) {
            return null;
        }
        return new AlertConfig(routes, defaultRoutes, renotify, readsPerMinute, learning, threshold, window,
                new DeliveryOptions(queueSize, maxAttempts, backoff, maxBackoff, timeout));
    }

    private static @Nullable SinkConfig bindSink(Tree t, Object raw, String f) {
        Map<String, Object> m = t.map(raw, f);
        if (m == null) {
            return null;
        }
        String type = t.string(m, "type", f, true);
        if (type == null) {
            return null;
        }
        int before = t.problems.size();
        SinkConfig out = switch (type) {
            case "webhook" -> {
                t.known(m, f, "type", "url", "secretEnv");
                URI url = t.url(m, "url", f);
                String env = t.envName(m, "secretEnv", f, true);
                yield url == null || env == null ? null : new SinkConfig.Webhook(url, env);
            }
            case "slack" -> {
                t.known(m, f, "type", "urlEnv");
                if (m.containsKey("url")) {
                    t.problems.add(new ConfigProblem(f + ".url", "a Slack webhook URL holds a token: name an environment variable with urlEnv"));
                }
                String env = t.envName(m, "urlEnv", f, true);
                yield env == null ? null : new SinkConfig.Slack(env);
            }
            case "pagerduty" -> {
                t.known(m, f, "type", "routingKeyEnv", "endpoint", "source");
                String env = t.envName(m, "routingKeyEnv", f, true);
                URI endpoint = m.containsKey("endpoint") ? t.url(m, "endpoint", f) : PagerDutySink.DEFAULT_ENDPOINT;
                String source = m.containsKey("source") ? t.string(m, "source", f, true) : "rotor";
                yield env == null || endpoint == null || source == null ? null : new SinkConfig.PagerDuty(env, endpoint, source);
            }
            case "smtp" -> {
                t.known(m, f, "type", "host", "port", "security", "from", "to", "username", "passwordEnv");
                String host = t.string(m, "host", f, true);
                String sec = m.containsKey("security") ? t.string(m, "security", f, true) : "starttls";
                SmtpSink.Security security = null;
                if (sec != null) {
                    try {
                        security = SmtpSink.Security.valueOf(sec.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        t.problems.add(new ConfigProblem(f + ".security", "must be one of none, starttls, tls"));
                    }
                }
                int port = t.integer(m, "port", f, security == SmtpSink.Security.TLS ? 465 : security == SmtpSink.Security.NONE ? 25 : 587,
                        1, 65535);
                String from = t.string(m, "from", f, true);
                List<String> to = m.containsKey("to") ? t.strings(m.get("to"), f + ".to") : null;
                if (!m.containsKey("to") || to != null && to.isEmpty()) {
                    t.problems.add(new ConfigProblem(f + ".to", "needs at least one recipient"));
                }
                String username = m.containsKey("username") ? t.string(m, "username", f, true) : null;
                String passwordEnv = m.containsKey("passwordEnv") ? t.envName(m, "passwordEnv", f, true) : null;
                if (username != null && !m.containsKey("passwordEnv")) {
                    t.problems.add(new ConfigProblem(f + ".passwordEnv", "is needed with username"));
                }
                if (username == null && m.containsKey("passwordEnv")) {
                    t.problems.add(new ConfigProblem(f + ".username", "is needed with passwordEnv"));
                }
                if (m.containsKey("password")) {
                    t.problems.add(new ConfigProblem(f + ".password", "passwords are never in the file: use passwordEnv"));
                }
                yield host == null || security == null || from == null || to == null || to.isEmpty() ? null
                        : new SinkConfig.Smtp(host, port, security, from, to, username, passwordEnv);
            }
            default -> {
                t.problems.add(new ConfigProblem(f + ".type", "unknown sink type '" + type + "' (known: webhook, slack, pagerduty, smtp)"));
                yield null;
            }
        };
        return t.problems.size() > before ? null : out;
    }

    private static @Nullable URI httpUri(String text) {
        try {
            URI u = new URI(text);
            String s = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return (s.equals("http") || s.equals("https")) && u.getHost() != null ? u : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Reads a raw tree, adding a problem for each bad field. */
    private static final class Tree {
        final List<ConfigProblem> problems;

        Tree(List<ConfigProblem> problems) {
            this.problems = problems;
        }

        @SuppressWarnings("unchecked")
        @Nullable Map<String, Object> map(Object raw, String f) {
            if (raw instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k instanceof String)) {
                return (Map<String, Object>) m;
            }
            problems.add(new ConfigProblem(f, "must be a mapping"));
            return null;
        }

        @SuppressWarnings("unchecked")
        @Nullable List<Object> list(@Nullable Object raw, String f) {
            if (raw instanceof List<?> l) {
                return (List<Object>) l;
            }
            problems.add(new ConfigProblem(f, "must be a list"));
            return null;
        }

        /** A nested mapping, or an empty one if absent or bad (its problem added). */
        Map<String, Object> section(Map<String, Object> parent, String key, String f) {
            Object raw = parent.get(key);
            if (raw == null) {
                return Map.of();
            }
            Map<String, Object> m = map(raw, f + "." + key);
            return m == null ? Map.of() : m;
        }

        void known(Map<String, Object> m, String f, String... keys) {
            Set<String> allowed = Set.of(keys);
            for (String k : m.keySet()) {
                if (!allowed.contains(k)) {
                    problems.add(new ConfigProblem(f + "." + k, "unknown setting (known: " + String.join(", ", keys) + ")"));
                }
            }
        }

        @Nullable String string(Map<String, Object> m, String key, String f, boolean required) {
            Object v = m.get(key);
            if (v == null) {
                if (required) {
                    problems.add(new ConfigProblem(f + "." + key, "is required"));
                }
                return null;
            }
            if (!(v instanceof String s) || s.isBlank()) {
                problems.add(new ConfigProblem(f + "." + key, "must be a non-empty string"));
                return null;
            }
            return s;
        }

        @Nullable List<String> strings(@Nullable Object raw, String f) {
            List<Object> l = list(raw, f);
            if (l == null) {
                return null;
            }
            List<String> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) instanceof String s && !s.isBlank()) {
                    out.add(s);
                } else {
                    problems.add(new ConfigProblem(f + "[" + i + "]", "must be a non-empty string"));
                    ok = false;
                }
            }
            return ok ? out : null;
        }

        @Nullable String envName(Map<String, Object> m, String key, String f, boolean required) {
            String s = string(m, key, f, required);
            if (s != null && !ENV_NAME.matcher(s).matches()) {
                // Someone may have pasted the secret itself here: do not echo it.
                problems.add(new ConfigProblem(f + "." + key, "must be the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*), not a value"));
                return null;
            }
            return s;
        }

        @Nullable URI url(Map<String, Object> m, String key, String f) {
            String s = string(m, key, f, true);
            if (s == null) {
                return null;
            }
            URI u = httpUri(s.strip());
            if (u == null) {
                problems.add(new ConfigProblem(f + "." + key, "must be an http or https URL"));
            } else if (u.getRawUserInfo() != null) {
                problems.add(new ConfigProblem(f + "." + key, "must not hold credentials"));
                return null;
            }
            return u;
        }

        int integer(Map<String, Object> m, String key, String f, int dflt, int min, int max) {
            Object v = m.get(key);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Integer || v instanceof Long) {
                long n = ((Number) v).longValue();
                if (n >= min && n <= max) {
                    return (int) n;
                }
            }
            problems.add(new ConfigProblem(f + "." + key, "must be a whole number from " + min + " to " + max));
            return dflt;
        }

        @Nullable Duration duration(Map<String, Object> m, String key, String f, Duration dflt, boolean positive) {
            Object v = m.get(key);
            if (v == null) {
                return dflt;
            }
            if (!(v instanceof String s)) {
                problems.add(new ConfigProblem(f + "." + key, "must be a duration; " + Durations.FORMATS));
                return null;
            }
            try {
                Duration d = Durations.parse(s);
                if (d.isNegative() || positive && d.isZero()) {
                    problems.add(new ConfigProblem(f + "." + key, positive ? "must be positive" : "must not be negative"));
                    return null;
                }
                return d;
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(f + "." + key, e.getMessage()));
                return null;
            }
        }
    }
}
