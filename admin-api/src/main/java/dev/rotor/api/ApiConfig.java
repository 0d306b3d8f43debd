package dev.rotor.api;

import dev.rotor.ConfigProblem;
import dev.rotor.config.Durations;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code api:} section of {@code rotor.yaml}:
 *
 * <pre>{@code
 * api:
 *   listen: 127.0.0.1:8080          # host:port; port 0 picks a free one
 *   auth:
 *     issuer: https://sso.example.com/realms/ops   # OIDC issuer; its discovery document is read
 *     audience: rotor                # the token's aud must hold this
 *     clockSkew: 30s                 # allowed on exp and nbf (at most 5m)
 *     apiKeys:
 *       - { name: ci, sha256: 9f86d0..., scopes: [rotor.read] }
 *   rateLimit: { requests: 120, per: 1m }   # per client (principal, or address when anonymous)
 *   tls: { keyStore: /etc/rotor/api.p12, keyStoreType: PKCS12, passwordEnv: ROTOR_API_TLS_PASSWORD }
 *   publicMetrics: false             # true: /metrics without credentials
 * }</pre>
 *
 * @param host the address to listen on
 * @param port the port; 0 for a free one
 * @param oidc bearer token settings; {@code null} when tokens are not accepted
 * @param apiKeys the accepted API keys (hashes only)
 * @param rateLimit requests allowed per client
 * @param tls HTTPS settings; {@code null} for plain HTTP
 * @param publicMetrics whether {@code /metrics} answers without credentials
 */
public record ApiConfig(String host, int port, @Nullable Oidc oidc, List<ApiKey> apiKeys, RateLimit rateLimit,
        @Nullable Tls tls, boolean publicMetrics) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    public ApiConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        apiKeys = List.copyOf(apiKeys);
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (ApiKey k : apiKeys) {
            if (!names.add(k.name())) {
                throw new IllegalArgumentException("two API keys are named " + k.name());
            }
            if (!hashes.add(k.sha256())) {
                throw new IllegalArgumentException("API key " + k.name() + " has the same hash as another");
            }
        }
        Objects.requireNonNull(rateLimit, "rateLimit");
    }

    /** Loopback, port 8080, no token issuer, no API keys (so nothing but the public endpoints answers), default limits. */
    public static ApiConfig defaults() {
        return new ApiConfig(DEFAULT_HOST, DEFAULT_PORT, null, List.of(), RateLimit.DEFAULT, null, false);
    }

    public ApiConfig withPort(int newPort) {
        return new ApiConfig(host, newPort, oidc, apiKeys, rateLimit, tls, publicMetrics);
    }

    public ApiConfig withOidc(@Nullable Oidc newOidc) {
        return new ApiConfig(host, port, newOidc, apiKeys, rateLimit, tls, publicMetrics);
    }

    public ApiConfig withApiKeys(List<ApiKey> newKeys) {
        return new ApiConfig(host, port, oidc, newKeys, rateLimit, tls, publicMetrics);
    }

    public ApiConfig withRateLimit(RateLimit newLimit) {
        return new ApiConfig(host, port, oidc, apiKeys, newLimit, tls, publicMetrics);
    }

    public ApiConfig withTls(@Nullable Tls newTls) {
        return new ApiConfig(host, port, oidc, apiKeys, rateLimit, newTls, publicMetrics);
    }

    /**
     * Bearer token settings.
     *
     * @param issuer the issuer URL; {@code <issuer>/.well-known/openid-configuration} names the JWKS
     * @param audience a value the token's {@code aud} must hold
     * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat}
     */
    public record Oidc(URI issuer, String audience, Duration clockSkew) {
        public Oidc {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(audience, "audience");
            Objects.requireNonNull(clockSkew, "clockSkew");
            String scheme = issuer.getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme) || issuer.getHost() == null) {
                throw new IllegalArgumentException("issuer must be an http(s) URL");
            }
            if (audience.isBlank()) {
                throw new IllegalArgumentException("audience is blank");
            }
            if (clockSkew.isNegative() || clockSkew.compareTo(MAX_SKEW) > 0) {
                throw new IllegalArgumentException("clockSkew must be 0 to " + Durations.format(MAX_SKEW));
            }
        }
    }

    /**
     * Requests allowed per client: {@code requests} per {@code per}, refilled evenly.
     */
    public record RateLimit(int requests, Duration per) {
        public static final RateLimit DEFAULT = new RateLimit(120, Duration.ofMinutes(1));

        public RateLimit {
            Objects.requireNonNull(per, "per");
            if (requests < 1 || requests > 1_000_000) {
                throw new IllegalArgumentException("requests must be 1 to 1000000");
            }
            if (per.compareTo(Duration.ofSeconds(1)) < 0 || per.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("per must be 1s to 1d");
            }
        }
    }

    /**
     * HTTPS. The key store's password comes from the environment variable named, never from the file.
     */
    public record Tls(Path keyStore, String keyStoreType, String passwordEnv) {
        public Tls {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(keyStoreType, "keyStoreType");
            Objects.requireNonNull(passwordEnv, "passwordEnv");
            if (!ENV_NAME.matcher(passwordEnv).matches()) {
                throw new IllegalArgumentException("passwordEnv must be an environment variable name");
            }
        }
    }

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");

    // ------------------------------------------------------------------ binding

    /**
     * Binds the raw {@code api:} tree of {@code rotor.yaml}. Adds one problem per bad field to
     * {@code problems} (named from {@code fieldPath}, e.g. {@code api.auth.apiKeys[0].sha256})
     * and returns {@code null} if there was any; a missing section ({@code null}) gives
     * {@link #defaults()}.
     */
    public static @Nullable ApiConfig bind(@Nullable Object rawTree, String fieldPath, List<ConfigProblem> problems) {
        Objects.requireNonNull(fieldPath, "fieldPath");
        Objects.requireNonNull(problems, "problems");
        if (rawTree == null) {
            return defaults();
        }
        int before = problems.size();
        Map<?, ?> root = map(rawTree, fieldPath, problems);
        if (root == null) {
            return null;
        }
        unknownKeys(root, fieldPath, problems, "listen", "auth", "rateLimit", "tls", "publicMetrics");

        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        Object listen = root.get("listen");
        if (listen != null) {
            String text = listen instanceof String s ? s : null;
            var m = text == null ? null : HOST_PORT.matcher(text);
            if (m == null || !m.matches() || Integer.parseInt(m.group(2)) > 65535) {
                problems.add(new ConfigProblem(fieldPath + ".listen", "must be host:port, e.g. 127.0.0.1:8080 (port 0 to 65535)"));
            } else {
                host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
                port = Integer.parseInt(m.group(2));
            }
        }

        Oidc oidc = null;
        List<ApiKey> keys = List.of();
        Object authTree = root.get("auth");
        if (authTree != null) {
            String authPath = fieldPath + ".auth";
            Map<?, ?> auth = map(authTree, authPath, problems);
            if (auth != null) {
                unknownKeys(auth, authPath, problems, "issuer", "audience", "clockSkew", "apiKeys");
                oidc = bindOidc(auth, authPath, problems);
                keys = bindKeys(auth.get("apiKeys"), authPath + ".apiKeys", problems);
            }
        }

        RateLimit rateLimit = RateLimit.DEFAULT;
        Object rlTree = root.get("rateLimit");
        if (rlTree != null) {
            String rlPath = fieldPath + ".rateLimit";
            Map<?, ?> rl = map(rlTree, rlPath, problems);
            if (rl != null) {
                unknownKeys(rl, rlPath, problems, "requests", "per");
                Integer requests = integer(rl.get("requests"), rlPath + ".requests", RateLimit.DEFAULT.requests(), 1, 1_000_000, problems);
                Duration per = duration(rl.get("per"), rlPath + ".per", RateLimit.DEFAULT.per(), Duration.ofSeconds(1), Duration.ofDays(1), problems);
                if (requests != null && per != null) {
                    rateLimit = new RateLimit(requests, per);
                }
            }
        }

        Tls tls = null;
        Object tlsTree = root.get("tls");
        if (tlsTree != null) {
            tls = bindTls(tlsTree, fieldPath + ".tls", problems);
        }

        boolean publicMetrics = false;
        Object pm = root.get("publicMetrics");
        if (pm != null) {
            if (pm instanceof Boolean b) {
                publicMetrics = b;
            } else {
                problems.add(new ConfigProblem(fieldPath + ".publicMetrics", "must be true or false"));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new ApiConfig(host, port, oidc, keys, rateLimit, tls, publicMetrics);
    }

    private static @Nullable Oidc bindOidc(Map<?, ?> auth, String path, List<ConfigProblem> problems) {
        Object issuer = auth.get("issuer");
        Object audience = auth.get("audience");
        Duration skew = duration(auth.get("clockSkew"), path + ".clockSkew", DEFAULT_SKEW, Duration.ZERO, MAX_SKEW, problems);
        if (issuer == null) {
            if (audience != null) {
                problems.add(new ConfigProblem(path + ".issuer", "is required when an audience is given"));
            }
            return null;
        }
        URI uri = null;
        if (issuer instanceof String s) {
            try {
                uri = new URI(s);
                if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                        || uri.getQuery() != null || uri.getFragment() != null) {
                    uri = null;
                }
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
        }
        if (uri == null) {
            problems.add(new ConfigProblem(path + ".issuer", "must be an http(s) URL without query or fragment"));
        }
        String aud = null;
        if (audience == null) {
            problems.add(new ConfigProblem(path + ".audience", "is required with an issuer (the value the token's aud must hold)"));
        } else if (!(audience instanceof String a) || a.isBlank()) {
            problems.add(new ConfigProblem(path + ".audience", "must be a non-empty string"));
        } else {
            aud = a;
        }
        return uri == null || aud == null || skew == null ? null : new Oidc(uri, aud, skew);
    }

    private static List<ApiKey> bindKeys(@Nullable Object tree, String path, List<ConfigProblem> problems) {
        if (tree == null) {
            return List.of();
        }
        if (!(tree instanceof List<?> list)) {
            problems.add(new ConfigProblem(path, "must be a list of { name, sha256, scopes }"));
            return List.of();
        }
        List<ApiKey> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            Map<?, ?> k = map(list.get(i), p, problems);
            if (k == null) {
                continue;
            }
            unknownKeys(k, p, problems, "name", "sha256", "scopes");
            boolean ok = true;
            Object name = k.get("name");
            if (!(name instanceof String n) || !ApiKey.NAME.matcher(n).matches()) {
                problems.add(new ConfigProblem(p + ".name", "must be 1 to 64 of A-Z a-z 0-9 . _ -"));
                ok = false;
            } else if (!names.add(n)) {
                problems.add(new ConfigProblem(p + ".name", "another API key has this name"));
                ok = false;
            }
            Object hash = k.get("sha256");
            // Never quote the field: someone may have pasted the key itself there.
            if (!(hash instanceof String h) || !ApiKey.HEX64.matcher(h.toLowerCase(java.util.Locale.ROOT)).matches()) {
                problems.add(new ConfigProblem(p + ".sha256", "must be the 64 hex digits of the key's SHA-256 (never the key itself)"));
                ok = false;
            } else if (!hashes.add(h.toLowerCase(java.util.Locale.ROOT))) {
                problems.add(new ConfigProblem(p + ".sha256", "another API key has this hash"));
                ok = false;
            }
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            Object sc = k.get("scopes");
            if (!(sc instanceof List<?> sl) || sl.isEmpty()) {
                problems.add(new ConfigProblem(p + ".scopes", "must list at least one of rotor.read, rotor.rotate, rotor.emergency"));
                ok = false;
            } else {
                for (int j = 0; j < sl.size(); j++) {
                    Object s = sl.get(j);
                    var scope = s instanceof String str ? Scope.of(str) : java.util.Optional.<Scope>empty();
                    if (scope.isEmpty()) {
                        problems.add(new ConfigProblem(p + ".scopes[" + j + "]", "unknown scope (known: rotor.read, rotor.rotate, rotor.emergency)"));
                        ok = false;
                    } else {
                        scopes.add(scope.get());
                    }
                }
            }
            if (ok) {
                out.add(new ApiKey((String) name, ((String) hash), scopes));
            }
        }
        return out;
    }

    private static @Nullable Tls bindTls(Object tree, String path, List<ConfigProblem> problems) {
        Map<?, ?> t = map(tree, path, problems);
        if (t == null) {
            return null;
        }
        unknownKeys(t, path, problems, "keyStore", "keyStoreType", "passwordEnv");
        Path keyStore = null;
        Object ks = t.get("keyStore");
        if (ks instanceof String s && !s.isBlank()) {
            try {
                keyStore = Path.of(s);
            } catch (InvalidPathException e) {
                problems.add(new ConfigProblem(path + ".keyStore", "is not a valid path"));
            }
        } else {
            problems.add(new ConfigProblem(path + ".keyStore", "is required: the key store file holding the server's key and certificate"));
        }
        String type = "PKCS12";
        Object kt = t.get("keyStoreType");
        if (kt != null) {
            if (kt instanceof String s && (s.equals("PKCS12") || s.equals("JKS"))) {
                type = s;
            } else {
                problems.add(new ConfigProblem(path + ".keyStoreType", "must be PKCS12 or JKS"));
                type = null;
            }
        }
        String env = null;
        Object pe = t.get("passwordEnv");
        if (pe instanceof String s && ENV_NAME.matcher(s).matches()) {
            env = s;
        } else {
            problems.add(new ConfigProblem(path + ".passwordEnv", "must name the environment variable holding the key store password"));
        }
        return keyStore == null || type == null || env == null ? null : new Tls(keyStore, type, env);
    }

    // ------------------------------------------------------------------ tree helpers

    private static @Nullable Map<?, ?> map(@Nullable Object tree, String path, List<ConfigProblem> problems) {
        if (tree instanceof Map<?, ?> m) {
            return m;
        }
        problems.add(new ConfigProblem(path, "must be a mapping"));
        return null;
    }

    private static void unknownKeys(Map<?, ?> map, String path, List<ConfigProblem> problems, String... known) {
        Set<String> k = new LinkedHashSet<>(List.of(known));
        for (Object key : map.keySet()) {
            if (!(key instanceof String s) || !k.contains(s)) {
                String shown = key instanceof String s && s.length() <= 64 ? s : "?";
                problems.add(new ConfigProblem(path + "." + shown, "unknown setting (known: " + String.join(", ", k) + ")"));
            }
        }
    }

    private static @Nullable Integer integer(@Nullable Object v, String path, int dflt, int min, int max, List<ConfigProblem> problems) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer i && i >= min && i <= max) {
            return i;
        }
        problems.add(new ConfigProblem(path, "must be a whole number from " + min + " to " + max));
        return null;
    }

    private static @Nullable Duration duration(@Nullable Object v, String path, Duration dflt, Duration min, Duration max,
            List<ConfigProblem> problems) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            try {
                Duration d = Durations.parse(s);
                if (d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
                    return d;
                }
                problems.add(new ConfigProblem(path, "must be from " + Durations.format(min) + " to " + Durations.format(max)));
                return null;
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(path, e.getMessage()));
                return null;
            }
        }
        problems.add(new ConfigProblem(path, "must be a duration; " + Durations.FORMATS));
        return null;
    }
}
