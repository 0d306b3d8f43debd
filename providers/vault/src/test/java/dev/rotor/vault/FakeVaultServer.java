package dev.rotor.vault;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A <b>fake</b> Vault server for tests: not Vault, but an in-process HTTP server that answers the
 * endpoints Rotor's Vault store uses the way the public Vault HTTP API documentation describes
 * them (KV secrets engine version 2, token auth, AppRole, Kubernetes auth, {@code sys/health}).
 * It is driven only through vault-java-driver and the store, never called directly by tests for
 * behaviour under test.
 *
 * <p>What it covers: KV v2 {@code data} read (latest or {@code ?version=}), write with
 * {@code options.cas} and Vault's check-and-set errors, soft delete of the latest version,
 * {@code delete}/{@code undelete}/{@code destroy} of versions, {@code metadata} read, write
 * ({@code max_versions}, {@code cas_required}, {@code custom_metadata} with Vault's limits) and
 * delete, listing by {@code LIST} or {@code GET ?list=true}, {@code max_versions} pruning (10 when
 * unset, as Vault does); tokens with TTLs against an injected clock, {@code lookup-self},
 * {@code renew-self} capped by a max TTL, AppRole and Kubernetes logins; path-prefix policies with
 * capabilities; {@code X-Vault-Token} and {@code X-Vault-Namespace} (each namespace has its own
 * data and tokens); a sealed state; error bodies {@code {"errors":[...]}} with Vault's status codes
 * (400, 403, 404 with empty errors, 429 with Retry-After, 500, 503).
 *
 * <p>What it does not: leases of other engines, response wrapping, real JWT validation (a
 * Kubernetes login compares the JWT with the configured one), glob policies, namespaces in the
 * URL path, request forwarding, storage limits other than custom metadata's. Object keys come
 * back sorted and numbers keep their literal form, as Vault (Go) does.
 *
 * <p>Thread-safe: one lock around all state; the HTTP server runs on a small pool of threads.
 * It never logs a request or response body.
 */
final class FakeVaultServer implements AutoCloseable {

    static final String ROOT_POLICY = "root";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int DEFAULT_MAX_VERSIONS = 10;

    /** A request as the interceptor sees it. */
    record Request(String method, String path, String namespace, @Nullable String token) {}

    /** An answer made by an interceptor instead of the fake's own. */
    record Response(int status, String body, Map<String, String> headers) {
        static Response error(int status, String message) {
            return error(status, message, Map.of());
        }

        static Response error(int status, String message, Map<String, String> headers) {
            ObjectNode body = JSON.createObjectNode();
            body.putArray("errors").add(message);
            return new Response(status, body.toString(), headers);
        }
    }

    private record Rule(String prefix, Set<String> capabilities) {}

    private static final class Token {
        final String id;
        final String accessor;
        final String namespace;
        final List<String> policies;
        final Instant issued;
        final Duration creationTtl;
        final @Nullable Instant maxExpires;
        final boolean renewable;
        @Nullable Instant expires;

        Token(String id, String namespace, List<String> policies, Instant issued, Duration ttl, @Nullable Duration maxTtl, boolean renewable) {
            this.id = id;
            this.accessor = random(12);
            this.namespace = namespace;
            this.policies = List.copyOf(policies);
            this.issued = issued;
            this.creationTtl = ttl;
            this.expires = ttl.isZero() ? null : issued.plus(ttl);
            this.maxExpires = maxTtl == null || ttl.isZero() ? null : issued.plus(maxTtl);
            this.renewable = renewable;
        }
    }

    private record Grant(List<String> policies, Duration ttl, Duration maxTtl, boolean renewable) {}

    private record AppRole(String roleId, @Nullable String secretId, Grant grant) {}

    private record KubeRole(String jwt, Grant grant) {}

    private static final class Version {
        @Nullable ObjectNode data;
        final Instant created;
        @Nullable Instant deleted;
        boolean destroyed;

        Version(ObjectNode data, Instant created) {
            this.data = data;
            this.created = created;
        }
    }

    private static final class Secret {
        final TreeMap<Long, Version> versions = new TreeMap<>();
        long current;
        long oldest;
        int maxVersions;
        boolean casRequired;
        String deleteVersionAfter = "0s";
        Map<String, String> custom = new TreeMap<>();
        final Instant created;
        Instant updated;

        Secret(Instant now) {
            this.created = now;
            this.updated = now;
        }
    }

    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService pool;
    private final String rootToken = "hvs.root-" + random(16);
    private final Set<String> kvMounts = new TreeSet<>(Set.of("secret"));
    private final Map<String, Token> tokens = new HashMap<>();
    private final Map<String, List<Rule>> policies = new HashMap<>();
    private final Map<String, AppRole> appRoles = new HashMap<>();
    private final Map<String, Map<String, KubeRole>> kubernetes = new HashMap<>();
    private final Map<String, TreeMap<String, Secret>> kv = new HashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile @Nullable Function<Request, @Nullable Response> interceptor;
    private boolean sealed;

    private FakeVaultServer(Clock clock, @Nullable SSLContext tls) throws IOException {
        this.clock = clock;
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            this.server = HttpServer.create(loopback, 0);
        } else {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        }
        this.pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-vault");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        tokens.put(rootToken, new Token(rootToken, "", List.of(ROOT_POLICY), clock.instant(), Duration.ZERO, null, false));
    }

    /** Starts a fake on a free loopback port with a KV v2 mount at {@code secret/}. */
    static FakeVaultServer start(Clock clock) {
        return start(clock, null);
    }

    /** Starts a fake that speaks HTTPS with the key and certificate of {@code tls}. */
    static FakeVaultServer start(Clock clock, @Nullable SSLContext tls) {
        try {
            FakeVaultServer fake = new FakeVaultServer(clock, tls);
            fake.server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Vault server", e);
        }
    }

    String address() {
        return (server instanceof HttpsServer ? "https://" : "http://") + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    String rootToken() {
        return rootToken;
    }

    synchronized void addKvMount(String mount) {
        kvMounts.add(mount);
    }

    /** A policy granting {@code capabilities} (read, create, update, delete, list) on API paths starting with {@code prefix}. */
    synchronized void policy(String name, String prefix, String... capabilities) {
        policies.computeIfAbsent(name, n -> new ArrayList<>()).add(new Rule(prefix, Set.of(capabilities)));
    }

    /** A service token in the root namespace. */
    synchronized String createToken(Duration ttl, boolean renewable, Duration maxTtl, String... policyNames) {
        return createToken("", ttl, renewable, maxTtl, policyNames);
    }

    synchronized String createToken(String namespace, Duration ttl, boolean renewable, Duration maxTtl, String... policyNames) {
        String id = "hvs." + random(20);
        tokens.put(id, new Token(id, namespace, List.of(policyNames), clock.instant(), ttl, maxTtl, renewable));
        return id;
    }

    synchronized void revoke(String token) {
        tokens.remove(token);
    }

    synchronized void enableAppRole(String mount, String roleId, @Nullable String secretId, Duration ttl, Duration maxTtl,
            String... policyNames) {
        appRoles.put(mount, new AppRole(roleId, secretId, new Grant(List.of(policyNames), ttl, maxTtl, true)));
    }

    synchronized void enableKubernetes(String mount, String role, String jwt, Duration ttl, Duration maxTtl, String... policyNames) {
        kubernetes.computeIfAbsent(mount, m -> new HashMap<>()).put(role, new KubeRole(jwt, new Grant(List.of(policyNames), ttl, maxTtl, true)));
    }

    synchronized void seal(boolean seal) {
        this.sealed = seal;
    }

    /** Answers requests instead of the fake when it returns non-null: faults, throttling, outages. */
    void interceptor(@Nullable Function<Request, @Nullable Response> newInterceptor) {
        this.interceptor = newInterceptor;
    }

    /** How many requests reached an endpoint, e.g. {@code "POST auth/token/renew-self"} or {@code "GET secret/data"}. */
    int requests(String endpoint) {
        AtomicInteger n = counts.get(endpoint);
        return n == null ? 0 : n.get();
    }

    /** How many requests reached the fake in all. */
    int totalRequests() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Token ids known to the fake and not expired: lets tests check a login happened. */
    synchronized int liveTokens() {
        Instant now = clock.instant();
        return (int) tokens.values().stream().filter(t -> t.expires == null || now.isBefore(t.expires)).count();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    // ---- HTTP ------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String nsHeader = ex.getRequestHeaders().getFirst("X-Vault-Namespace");
            String namespace = nsHeader == null ? "" : trimSlashes(nsHeader);
            String token = ex.getRequestHeaders().getFirst("X-Vault-Token");
            Response r;
            if (!rawPath.startsWith("/v1/")) {
                r = Response.error(404, "unsupported path");
            } else {
                String path = URLDecoder.decode(rawPath.substring(4), StandardCharsets.UTF_8);
                if ("GET".equals(method) && "true".equals(query.get("list"))) {
                    method = "LIST";
                }
                Function<Request, @Nullable Response> i = interceptor;
                Response intercepted = i == null ? null : i.apply(new Request(method, path, namespace, token));
                r = intercepted != null ? intercepted : dispatch(method, path, query, body, namespace, token);
            }
            for (Map.Entry<String, String> h : r.headers().entrySet()) {
                ex.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            if (r.status() == 204) {
                ex.sendResponseHeaders(204, -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(r.status(), out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (RuntimeException e) {
            // A bug in the fake: answer 500 rather than hang the client.
            ex.sendResponseHeaders(500, -1);
        }
    }

    private synchronized Response dispatch(String method, String path, Map<String, String> query, byte[] body,
            String namespace, @Nullable String tokenId) {
        count(method, path);
        if (path.equals("sys/health")) {
            ObjectNode h = JSON.createObjectNode();
            h.put("initialized", true).put("sealed", sealed).put("standby", false).put("performance_standby", false)
                    .put("replication_performance_mode", "disabled").put("replication_dr_mode", "disabled")
                    .put("server_time_utc", clock.instant().getEpochSecond()).put("version", "1.15.0+fake")
                    .put("cluster_name", "fake").put("cluster_id", "fake");
            return new Response(sealed ? 503 : 200, h.toString(), Map.of());
        }
        if (sealed) {
            return Response.error(503, "Vault is sealed");
        }
        JsonNode json;
        try {
            json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return Response.error(400, "failed to parse JSON input");
        }
        if (path.startsWith("auth/") && path.endsWith("/login") && !path.startsWith("auth/token/")) {
            return login(path.substring(5, path.length() - 6), json, namespace);
        }
        Token token = tokenId == null ? null : tokens.get(tokenId);
        if (token == null || expired(token) || !(token.namespace.isEmpty() || token.namespace.equals(namespace))) {
            return Response.error(403, "permission denied");
        }
        switch (path) {
            case "auth/token/lookup-self":
                return "GET".equals(method) ? new Response(200, envelope("data", lookup(token)), Map.of()) : unsupported();
            case "auth/token/renew-self":
                return "POST".equals(method) || "PUT".equals(method) ? renew(token, json) : unsupported();
            default:
                break;
        }
        for (String mount : kvMounts) {
            if (path.startsWith(mount + "/")) {
                return kv(method, mount, path.substring(mount.length() + 1), query, json, namespace, token);
            }
        }
        return Response.error(404, "no handler for route \"" + path + "\". route entry not found.");
    }

    private void count(String method, String path) {
        String key = method + " " + endpoint(path);
        counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private String endpoint(String path) {
        for (String mount : kvMounts) {
            if (path.startsWith(mount + "/")) {
                String rest = path.substring(mount.length() + 1);
                int slash = rest.indexOf('/');
                return mount + "/" + (slash < 0 ? rest : rest.substring(0, slash));
            }
        }
        return path;
    }

    private static Response unsupported() {
        return Response.error(405, "unsupported operation");
    }

    private boolean expired(Token t) {
        return t.expires != null && !clock.instant().isBefore(t.expires);
    }

    // ---- auth ------------------------------------------------------------------------------------

    private Response login(String mount, JsonNode body, String namespace) {
        AppRole approle = appRoles.get(mount);
        if (approle != null) {
            boolean ok = approle.roleId().equals(body.path("role_id").asText(null))
                    && (approle.secretId() == null || approle.secretId().equals(body.path("secret_id").asText(null)));
            return ok ? issue(approle.grant(), namespace, Map.of("role_name", "rotor")) : Response.error(400, "invalid role or secret ID");
        }
        Map<String, KubeRole> roles = kubernetes.get(mount);
        if (roles != null) {
            String role = body.path("role").asText("");
            KubeRole kr = roles.get(role);
            if (kr == null) {
                return Response.error(400, "invalid role name \"" + role + "\"");
            }
            return kr.jwt().equals(body.path("jwt").asText(null))
                    ? issue(kr.grant(), namespace, Map.of("role", role))
                    : Response.error(403, "permission denied");
        }
        return Response.error(404, "no handler for route \"auth/" + mount + "/login\". route entry not found.");
    }

    private Response issue(Grant g, String namespace, Map<String, String> metadata) {
        String id = "hvs." + random(20);
        Token t = new Token(id, namespace, g.policies(), clock.instant(), g.ttl(), g.maxTtl(), g.renewable());
        tokens.put(id, t);
        return new Response(200, authResponse(t, g.ttl(), metadata), Map.of());
    }

    private Response renew(Token t, JsonNode body) {
        if (!t.renewable || t.expires == null) {
            return Response.error(400, "lease is not renewable");
        }
        Duration increment = body.has("increment") && body.path("increment").asLong() > 0
                ? Duration.ofSeconds(body.path("increment").asLong())
                : t.creationTtl;
        Instant now = clock.instant();
        Instant until = now.plus(increment);
        if (t.maxExpires != null && until.isAfter(t.maxExpires)) {
            until = t.maxExpires;
        }
        t.expires = until;
        return new Response(200, authResponse(t, Duration.between(now, until), Map.of()), Map.of());
    }

    private String authResponse(Token t, Duration ttl, Map<String, String> metadata) {
        ObjectNode auth = JSON.createObjectNode();
        auth.put("client_token", t.id).put("accessor", t.accessor);
        ArrayNode p = auth.putArray("policies");
        t.policies.forEach(p::add);
        ArrayNode tp = auth.putArray("token_policies");
        t.policies.forEach(tp::add);
        ObjectNode meta = auth.putObject("metadata");
        metadata.forEach(meta::put);
        auth.put("lease_duration", ttl.toSeconds()).put("renewable", t.renewable).put("entity_id", "")
                .put("token_type", "service").put("orphan", true);
        ObjectNode root = base();
        root.set("auth", auth);
        return root.toString();
    }

    private ObjectNode lookup(Token t) {
        Instant now = clock.instant();
        ObjectNode d = JSON.createObjectNode();
        d.put("accessor", t.accessor).put("creation_time", t.issued.getEpochSecond())
                .put("creation_ttl", t.creationTtl.toSeconds()).put("display_name", "token")
                .put("explicit_max_ttl", 0).put("id", t.id).put("issue_time", t.issued.toString())
                .put("num_uses", 0).put("orphan", true).put("path", "auth/token/create")
                .put("renewable", t.renewable).put("type", "service")
                .put("ttl", t.expires == null ? 0 : Math.max(0, Duration.between(now, t.expires).toSeconds()));
        if (t.expires == null) {
            d.putNull("expire_time");
        } else {
            d.put("expire_time", t.expires.toString());
        }
        ArrayNode p = d.putArray("policies");
        t.policies.forEach(p::add);
        d.putObject("meta");
        return d;
    }

    private boolean allowed(Token t, String apiPath, String capability) {
        if (t.policies.contains(ROOT_POLICY)) {
            return true;
        }
        for (String name : t.policies) {
            for (Rule r : policies.getOrDefault(name, List.of())) {
                if (apiPath.startsWith(r.prefix()) && r.capabilities().contains(capability)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- KV v2 -----------------------------------------------------------------------------------

    private Response kv(String method, String mount, String rest, Map<String, String> query, JsonNode body,
            String namespace, Token token) {
        int slash = rest.indexOf('/');
        String op = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
        String apiPath = mount + "/" + rest;
        TreeMap<String, Secret> store = kv.computeIfAbsent(namespace + "\u0000" + mount, k -> new TreeMap<>());
        String capability = switch (method) {
            case "GET" -> "read";
            case "LIST" -> "list";
            case "DELETE" -> "delete";
            default -> store.containsKey(key) ? "update" : "create";
        };
        if (!allowed(token, apiPath, capability)) {
            return Response.error(403, "1 error occurred:\n\t* permission denied\n\n");
        }
        return switch (op) {
            case "data" -> switch (method) {
                case "GET" -> readData(store, key, query);
                case "POST", "PUT" -> writeData(store, key, body);
                case "DELETE" -> softDeleteLatest(store, key);
                default -> unsupported();
            };
            case "metadata" -> switch (method) {
                case "LIST" -> list(store, rest.substring(Math.min(rest.length(), "metadata/".length())));
                case "GET" -> readMetadata(store, key);
                case "POST", "PUT" -> writeMetadata(store, key, body);
                case "DELETE" -> {
                    store.remove(key);
                    yield new Response(204, "", Map.of());
                }
                default -> unsupported();
            };
            case "delete", "undelete", "destroy" -> "POST".equals(method) || "PUT".equals(method)
                    ? versions(store, key, op, body)
                    : unsupported();
            default -> Response.error(404, "no handler for route \"" + apiPath + "\". route entry not found.");
        };
    }

    private Response readData(TreeMap<String, Secret> store, String key, Map<String, String> query) {
        Secret s = store.get(key);
        if (s == null || s.current == 0) {
            return notFound();
        }
        long n = s.current;
        if (query.containsKey("version")) {
            try {
                long asked = Long.parseLong(query.get("version"));
                n = asked == 0 ? s.current : asked;
            } catch (NumberFormatException e) {
                return Response.error(400, "invalid version");
            }
        }
        Version v = s.versions.get(n);
        if (v == null) {
            return notFound();
        }
        ObjectNode data = JSON.createObjectNode();
        boolean gone = v.destroyed || v.deleted != null;
        data.set("data", gone || v.data == null ? NullNode.instance : sorted(v.data));
        data.set("metadata", versionMetadata(s, n, v));
        return new Response(gone ? 404 : 200, envelope("data", data), Map.of());
    }

    private Response writeData(TreeMap<String, Secret> store, String key, JsonNode body) {
        if (key.isEmpty()) {
            return Response.error(405, "unsupported operation");
        }
        JsonNode data = body.get("data");
        if (data == null || !data.isObject()) {
            return Response.error(400, "no data provided");
        }
        Secret s = store.get(key);
        JsonNode cas = body.path("options").get("cas");
        if (cas != null) {
            long expected = cas.asLong(-1);
            long actual = s == null ? 0 : s.current;
            if (expected != actual) {
                return Response.error(400, "check-and-set parameter did not match the current version");
            }
        } else if (s != null && s.casRequired) {
            return Response.error(400, "check-and-set parameter required for this call");
        }
        Instant now = clock.instant();
        if (s == null) {
            s = new Secret(now);
            store.put(key, s);
        }
        long n = s.current + 1;
        Version v = new Version(((ObjectNode) data).deepCopy(), now);
        s.versions.put(n, v);
        s.current = n;
        s.updated = now;
        int max = s.maxVersions > 0 ? s.maxVersions : DEFAULT_MAX_VERSIONS;
        while (s.versions.size() > max) {
            s.versions.pollFirstEntry();
        }
        s.oldest = s.versions.firstKey();
        return new Response(200, envelope("data", versionMetadata(s, n, v)), Map.of());
    }

    private Response softDeleteLatest(TreeMap<String, Secret> store, String key) {
        Secret s = store.get(key);
        if (s != null && s.versions.containsKey(s.current)) {
            s.versions.get(s.current).deleted = clock.instant();
        }
        return new Response(204, "", Map.of());
    }

    private Response versions(TreeMap<String, Secret> store, String key, String op, JsonNode body) {
        JsonNode list = body.get("versions");
        if (list == null || !list.isArray() || list.isEmpty()) {
            return Response.error(400, "no version number provided");
        }
        Secret s = store.get(key);
        if (s == null) {
            return new Response(204, "", Map.of());
        }
        for (JsonNode n : list) {
            Version v = s.versions.get(n.asLong());
            if (v == null) {
                continue;
            }
            switch (op) {
                case "delete" -> {
                    if (v.deleted == null && !v.destroyed) {
                        v.deleted = clock.instant();
                    }
                }
                case "undelete" -> {
                    if (!v.destroyed) {
                        v.deleted = null;
                    }
                }
                case "destroy" -> {
                    v.destroyed = true;
                    v.data = null;
                }
                default -> throw new IllegalStateException(op);
            }
        }
        return new Response(204, "", Map.of());
    }

    private Response readMetadata(TreeMap<String, Secret> store, String key) {
        Secret s = store.get(key);
        if (s == null) {
            return notFound();
        }
        ObjectNode d = JSON.createObjectNode();
        d.put("cas_required", s.casRequired).put("created_time", s.created.toString()).put("current_version", s.current)
                .put("delete_version_after", s.deleteVersionAfter).put("max_versions", s.maxVersions)
                .put("oldest_version", s.oldest).put("updated_time", s.updated.toString());
        if (s.custom.isEmpty()) {
            d.putNull("custom_metadata");
        } else {
            ObjectNode c = d.putObject("custom_metadata");
            s.custom.forEach(c::put);
        }
        ObjectNode versions = d.putObject("versions");
        s.versions.forEach((n, v) -> {
            ObjectNode o = versions.putObject(Long.toString(n));
            o.put("created_time", v.created.toString()).put("deletion_time", v.deleted == null ? "" : v.deleted.toString())
                    .put("destroyed", v.destroyed);
        });
        return new Response(200, envelope("data", d), Map.of());
    }

    private Response writeMetadata(TreeMap<String, Secret> store, String key, JsonNode body) {
        JsonNode custom = body.get("custom_metadata");
        Map<String, String> customMap = null;
        if (custom != null && !custom.isNull()) {
            if (!custom.isObject()) {
                return Response.error(400, "custom_metadata must be a map of strings");
            }
            if (custom.size() > 64) {
                return Response.error(400, "1 error occurred:\n\t* payload must contain at most 64 keys, provided " + custom.size());
            }
            customMap = new TreeMap<>();
            for (var e : custom.properties()) {
                if (e.getKey().getBytes(StandardCharsets.UTF_8).length > 128 || e.getValue().asText().getBytes(StandardCharsets.UTF_8).length > 512) {
                    return Response.error(400, "custom_metadata key or value too long");
                }
                customMap.put(e.getKey(), e.getValue().asText());
            }
        }
        Secret s = store.computeIfAbsent(key, k -> new Secret(clock.instant()));
        if (body.has("max_versions")) {
            s.maxVersions = body.path("max_versions").asInt();
        }
        if (body.has("cas_required")) {
            s.casRequired = body.path("cas_required").asBoolean();
        }
        if (body.has("delete_version_after")) {
            s.deleteVersionAfter = body.path("delete_version_after").asText();
        }
        if (customMap != null) {
            s.custom = customMap;
        }
        s.updated = clock.instant();
        return new Response(204, "", Map.of());
    }

    private Response list(TreeMap<String, Secret> store, String folderPath) {
        String folder = trimSlashes(folderPath);
        String start = folder.isEmpty() ? "" : folder + "/";
        TreeSet<String> keys = new TreeSet<>();
        for (String key : store.tailMap(start, true).keySet()) {
            if (!key.startsWith(start)) {
                break;
            }
            String rest = key.substring(start.length());
            int slash = rest.indexOf('/');
            keys.add(slash < 0 ? rest : rest.substring(0, slash + 1));
        }
        if (keys.isEmpty()) {
            return notFound();
        }
        ObjectNode d = JSON.createObjectNode();
        ArrayNode k = d.putArray("keys");
        keys.forEach(k::add);
        return new Response(200, envelope("data", d), Map.of());
    }

    private ObjectNode versionMetadata(Secret s, long n, Version v) {
        ObjectNode m = JSON.createObjectNode();
        m.put("created_time", v.created.toString());
        if (s.custom.isEmpty()) {
            m.putNull("custom_metadata");
        } else {
            ObjectNode c = m.putObject("custom_metadata");
            s.custom.forEach(c::put);
        }
        m.put("deletion_time", v.deleted == null ? "" : v.deleted.toString()).put("destroyed", v.destroyed).put("version", n);
        return m;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static Response notFound() {
        return new Response(404, "{\"errors\":[]}", Map.of());
    }

    private static ObjectNode base() {
        ObjectNode root = JSON.createObjectNode();
        root.put("request_id", random(8)).put("lease_id", "").put("renewable", false).put("lease_duration", 0);
        root.putNull("data");
        root.putNull("wrap_info");
        root.putNull("warnings");
        root.putNull("auth");
        return root;
    }

    private static String envelope(String field, JsonNode value) {
        ObjectNode root = base();
        root.set(field, value);
        return root.toString();
    }

    /** Go's encoding/json writes map keys sorted by their bytes, at every level. */
    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
            ObjectNode out = JSON.createObjectNode();
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(n -> out.add(sorted(n)));
            return out;
        }
        return node;
    }

    private static Map<String, String> query(@Nullable String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static String trimSlashes(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && s.charAt(a) == '/') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == '/') {
            b--;
        }
        return s.substring(a, b);
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
