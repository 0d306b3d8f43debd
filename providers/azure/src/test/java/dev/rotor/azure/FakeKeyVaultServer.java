package dev.rotor.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A <b>fake</b> of the Azure Key Vault secrets REST API, written from Microsoft's public REST API
 * reference (api-version 7.x and 2025-07-01; the request and response shapes have not changed
 * between them for the operations here). It is not Azure: it exists so that the real
 * {@code SecretClient} of the Azure SDK can be driven end to end in tests, over HTTPS on
 * 127.0.0.1 with a self-signed certificate made at start.
 *
 * <p>What it implements:
 * <ul>
 *   <li>{@code PUT /secrets/{name}} (set: a new version), {@code GET /secrets/{name}[/{version}]}
 *       (latest or one version), {@code GET /secrets/{name}/versions} and {@code GET /secrets}
 *       (paged by {@code maxresults} with {@code nextLink}), {@code PATCH /secrets/{name}/{version}}
 *       (content type, attributes, tags), {@code DELETE /secrets/{name}} (soft delete),
 *       {@code GET /deletedsecrets[/{name}]}, {@code POST /deletedsecrets/{name}/recover},
 *       {@code DELETE /deletedsecrets/{name}} (purge);
 *   <li>the bearer challenge: a request without a token gets 401 with
 *       {@code WWW-Authenticate: Bearer authorization="...", resource="https://vault.azure.net"};
 *       a request with an unknown token gets 401; a token without a permission gets 403;
 *   <li>error bodies {@code {"error":{"code":..,"message":..,"innererror":{"code":..}}}}:
 *       SecretNotFound 404, Conflict 409 for a name held by a deleted secret, Forbidden 403 (no
 *       permission, disabled version, purge protection), Unauthorized 401, Throttled 429 with
 *       Retry-After, BadParameter 400 (bad name, missing value, too many or too long tags, a value
 *       over 25 KiB);
 *   <li>names compared without regard to case, kept as first written; times in whole seconds;
 *       version ids of 32 hex digits; versions listed in no particular order (by id), as the
 *       service promises none; "latest" is the version written last.
 * </ul>
 * Not implemented: certificates' managed secrets, backup/restore, key-vault-level settings other
 * than purge protection, real token validation (a token is a string the test registered),
 * recoverable-days expiry, and Azure's eventual consistency (every read here sees every completed
 * write at once).
 *
 * <p>Tests can inject failures ({@link #failNext}), pause or interleave requests
 * ({@link #onRequest}) and count requests ({@link #requests()}). Thread-safe: the state is
 * guarded by one monitor; hooks run outside it.
 */
final class FakeKeyVaultServer implements AutoCloseable {

    /** What a token may do, after Key Vault's access-policy permissions for secrets. */
    enum Permission { GET, LIST, SET, DELETE, RECOVER, PURGE }

    static final String TENANT = "00000000-0000-0000-0000-00000000fa4e";
    static final int MAX_VALUE_BYTES = 25 * 1024;
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    private static final int PAGE_MAX = 25;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpsServer server;
    private final ExecutorService executor;
    private final TestTls tls;
    private final Clock clock;
    private final String token;

    private final Object lock = new Object();
    private final Map<String, Entry> secrets = new TreeMap<>();
    private final Map<String, Deleted> deleted = new TreeMap<>();
    private final Map<String, Set<Permission>> tokens = new ConcurrentHashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private volatile boolean purgeProtection;
    private volatile @Nullable BiConsumer<String, String> onRequest;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** One request as received: method, path (without query), whether it carried a bearer token. */
    record Request(String method, String path, boolean authorized) {}

    private record Failure(int status, String code, String message, @Nullable Duration retryAfter) {}

    private static final class Version {
        final String id;
        String value;
        @Nullable String contentType;
        boolean enabled = true;
        @Nullable Long nbf;
        @Nullable Long exp;
        final long created;
        long updated;
        Map<String, String> tags = new LinkedHashMap<>();

        Version(String id, String value, long created) {
            this.id = id;
            this.value = value;
            this.created = created;
            this.updated = created;
        }
    }

    private static final class Entry {
        final String name;
        final List<Version> versions = new ArrayList<>();

        Entry(String name) {
            this.name = name;
        }

        Version latest() {
            return versions.get(versions.size() - 1);
        }

        @Nullable Version find(String id) {
            for (Version v : versions) {
                if (v.id.equalsIgnoreCase(id)) {
                    return v;
                }
            }
            return null;
        }
    }

    private record Deleted(Entry entry, long deletedDate) {}

    private FakeKeyVaultServer(Clock clock) throws IOException {
        this.clock = clock;
        this.tls = TestTls.generate();
        this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.server.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-key-vault");
            t.setDaemon(true);
            return t;
        });
        this.server.setExecutor(executor);
        this.server.createContext("/", this::handle);
        this.token = newToken();
        tokens.put(token, EnumSet.allOf(Permission.class));
    }

    static FakeKeyVaultServer start() {
        return start(Clock.systemUTC());
    }

    static FakeKeyVaultServer start(Clock clock) {
        try {
            FakeKeyVaultServer fake = new FakeKeyVaultServer(clock);
            fake.server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Key Vault", e);
        }
    }

    /** {@code https://127.0.0.1:<port>}. */
    String vaultUrl() {
        return "https://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** A TLS context that trusts this server's certificate and no other. */
    SSLContext clientSslContext() {
        return tls.client();
    }

    /** A token with every permission. */
    String token() {
        return token;
    }

    /** Registers a new token with the given permissions and returns it. */
    String tokenWith(Set<Permission> permissions) {
        String t = newToken();
        tokens.put(t, permissions.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(permissions));
        return t;
    }

    void purgeProtection(boolean on) {
        purgeProtection = on;
    }

    /** The next {@code count} authorized requests fail with this status and error code. */
    void failNext(int count, int status, String code, @Nullable Duration retryAfter) {
        synchronized (lock) {
            for (int i = 0; i < count; i++) {
                failures.add(new Failure(status, code, "Injected by the test: " + code, retryAfter));
            }
        }
    }

    /**
     * Runs before every authorized request is handled, with its method and path, on the server's
     * thread: a test can block there to interleave other calls, or throw to make the request fail
     * with a 500 as if the server had crashed before applying it.
     */
    void onRequest(@Nullable BiConsumer<String, String> hook) {
        onRequest = hook;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests whose method and path match, path compared as a prefix. */
    long count(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).count();
    }

    void clearRequests() {
        requests.clear();
    }

    /** The names of live secrets, as stored. */
    List<String> secretNames() {
        synchronized (lock) {
            return secrets.values().stream().map(e -> e.name).toList();
        }
    }

    /** The names of soft-deleted secrets. */
    List<String> deletedNames() {
        synchronized (lock) {
            return deleted.values().stream().map(d -> d.entry().name).toList();
        }
    }

    /** Every stored value of every version, live and deleted, for leak checks of what the vault holds. */
    List<String> allValues() {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            secrets.values().forEach(e -> e.versions.forEach(v -> out.add(v.value)));
            deleted.values().forEach(d -> d.entry().versions.forEach(v -> out.add(v.value)));
            return out;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    private record Reply(int status, @Nullable JsonNode body, Map<String, String> headers) {
        static Reply ok(JsonNode body) {
            return new Reply(200, body, Map.of());
        }
    }

    private static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Reply reply;

        Problem(int status, String code, String message, @Nullable String innerCode) {
            super(code, null, false, false);
            ObjectNode error = JSON.createObjectNode();
            error.put("code", code);
            error.put("message", message);
            if (innerCode != null) {
                error.putObject("innererror").put("code", innerCode);
            }
            ObjectNode root = JSON.createObjectNode();
            root.set("error", error);
            this.reply = new Reply(status, root, Map.of());
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            String path = uri.getRawPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(method, path, auth != null));
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Reply reply;
            try {
                reply = route(method, path, query(uri.getRawQuery()), auth, body);
            } catch (Problem p) {
                reply = p.reply;
            }
            send(exchange, reply);
        } catch (RuntimeException e) {
            // a bug in the fake: answer 500 so the test sees it
            send(exchange, new Problem(500, "InternalError", "fake failed: " + e, null).reply);
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.getResponseHeaders().add("x-ms-keyvault-service-version", "fake");
        if (reply.body() == null) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(@Nullable String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
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

    private Reply route(String method, String path, Map<String, String> query, @Nullable String auth, byte[] body) {
        if (auth == null || !auth.startsWith("Bearer ")) {
            // the bearer challenge; the SDK sends its first request without a body and without a token
            Problem p = new Problem(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", null);
            return new Reply(401, p.reply.body(), Map.of("WWW-Authenticate", challenge()));
        }
        Set<Permission> granted = tokens.get(auth.substring("Bearer ".length()).trim());
        if (granted == null) {
            Problem p = new Problem(401, "Unauthorized", "AKV10032: Invalid issuer or token not recognized.", null);
            return new Reply(401, p.reply.body(), Map.of("WWW-Authenticate", challenge()));
        }
        String apiVersion = query.get("api-version");
        if (apiVersion == null || apiVersion.isEmpty()) {
            throw new Problem(400, "BadParameter", "The api-version query parameter is required.", "MissingApiVersionParameter");
        }
        BiConsumer<String, String> hook = onRequest;
        if (hook != null) {
            hook.accept(method, path);
        }
        Failure failure;
        synchronized (lock) {
            failure = failures.poll();
        }
        if (failure != null) {
            Problem p = new Problem(failure.status(), failure.code(), failure.message(), null);
            return new Reply(failure.status(), p.reply.body(), failure.retryAfter() == null
                    ? Map.of() : Map.of("Retry-After", Long.toString(failure.retryAfter().toSeconds())));
        }
        List<String> seg = segments(path);
        String first = seg.isEmpty() ? "" : seg.get(0);
        if (first.equals("secrets")) {
            if (seg.size() == 1 && method.equals("GET")) {
                need(granted, Permission.LIST, "list");
                return listSecrets(path, query);
            }
            if (seg.size() >= 2) {
                String name = checkName(seg.get(1));
                if (seg.size() == 2) {
                    return switch (method) {
                        case "PUT" -> {
                            need(granted, Permission.SET, "set");
                            yield set(name, body);
                        }
                        case "GET" -> {
                            need(granted, Permission.GET, "get");
                            yield get(name, null);
                        }
                        case "DELETE" -> {
                            need(granted, Permission.DELETE, "delete");
                            yield delete(name);
                        }
                        default -> throw notAllowed(method);
                    };
                }
                if (seg.size() == 3 && seg.get(2).equals("versions") && method.equals("GET")) {
                    need(granted, Permission.LIST, "list");
                    return listVersions(path, name, query);
                }
                if (seg.size() == 3) {
                    String version = seg.get(2);
                    return switch (method) {
                        case "GET" -> {
                            need(granted, Permission.GET, "get");
                            yield get(name, version.isEmpty() ? null : version);
                        }
                        case "PATCH" -> {
                            need(granted, Permission.SET, "set");
                            yield update(name, version.isEmpty() ? null : version, body);
                        }
                        default -> throw notAllowed(method);
                    };
                }
            }
        }
        if (first.equals("deletedsecrets")) {
            if (seg.size() == 1 && method.equals("GET")) {
                need(granted, Permission.LIST, "list");
                return listDeleted(path, query);
            }
            if (seg.size() >= 2) {
                String name = checkName(seg.get(1));
                if (seg.size() == 2 && method.equals("GET")) {
                    need(granted, Permission.LIST, "list");
                    return getDeleted(name);
                }
                if (seg.size() == 2 && method.equals("DELETE")) {
                    need(granted, Permission.PURGE, "purge");
                    return purge(name);
                }
                if (seg.size() == 3 && seg.get(2).equals("recover") && method.equals("POST")) {
                    need(granted, Permission.RECOVER, "recover");
                    return recover(name);
                }
            }
        }
        throw new Problem(404, "NotFound", "No route for " + method + " " + path, null);
    }

    private static String challenge() {
        return "Bearer authorization=\"https://login.microsoftonline.com/" + TENANT + "\", resource=\"https://vault.azure.net\"";
    }

    private static Problem notAllowed(String method) {
        return new Problem(405, "MethodNotAllowed", "The method " + method + " is not allowed here.", null);
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        // "/secrets/name/" (the SDK's form for the latest version) gives an empty version segment
        for (String s : p.split("/", -1)) {
            out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        }
        if (out.size() == 1 && out.get(0).isEmpty()) {
            return List.of();
        }
        return out;
    }

    private void need(Set<Permission> granted, Permission permission, String operation) {
        if (!granted.contains(permission)) {
            throw new Problem(403, "Forbidden", "The user, group or application 'appid=fake-test-client' does not have secrets "
                    + operation + " permission on key vault 'fake'. For help resolving this issue, please see"
                    + " https://go.microsoft.com/fwlink/?linkid=2125287", "AccessDenied");
        }
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new Problem(400, "BadParameter", "The request URI contains an invalid name: " + name, null);
        }
        return name;
    }

    private static Problem secretNotFound(String nameOrId) {
        return new Problem(404, "SecretNotFound", "A secret with (name/id) " + nameOrId + " was not found in this key vault."
                + " If you recently deleted this secret you may be able to recover it using the correct recovery command."
                + " For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", null);
    }

    // ---- operations ----------------------------------------------------------------------------

    private Reply set(String name, byte[] body) {
        JsonNode req = parse(body);
        JsonNode value = req.get("value");
        if (value == null || !value.isTextual()) {
            throw new Problem(400, "BadParameter", "Property value is required and must be a string.", null);
        }
        if (value.textValue().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new Problem(400, "BadParameter", "Secret value is too large; the limit is " + MAX_VALUE_BYTES + " bytes.", null);
        }
        Map<String, String> tags = tags(req.get("tags"));
        String contentType = text(req.get("contentType"));
        checkContentType(contentType);
        synchronized (lock) {
            String key = name.toLowerCase(Locale.ROOT);
            if (deleted.containsKey(key)) {
                throw new Problem(409, "Conflict", "Secret " + name + " is currently in a deleted but recoverable state, and its name"
                        + " cannot be reused; in this state, the secret can only be recovered or purged.", "ObjectIsDeletedButRecoverable");
            }
            Entry e = secrets.computeIfAbsent(key, k -> new Entry(name));
            Version v = new Version(newVersionId(), value.textValue(), now());
            v.contentType = contentType;
            v.tags = tags;
            applyAttributes(v, req.get("attributes"));
            e.versions.add(v);
            return Reply.ok(bundle(e, v, true));
        }
    }

    private Reply get(String name, @Nullable String version) {
        synchronized (lock) {
            Entry e = secrets.get(name.toLowerCase(Locale.ROOT));
            if (e == null) {
                throw secretNotFound(name);
            }
            Version v = version == null ? e.latest() : e.find(version);
            if (v == null) {
                throw secretNotFound(name + "/" + version);
            }
            if (!v.enabled) {
                throw new Problem(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
            }
            return Reply.ok(bundle(e, v, true));
        }
    }

    private Reply update(String name, @Nullable String version, byte[] body) {
        JsonNode req = parse(body);
        Map<String, String> tags = req.has("tags") ? tags(req.get("tags")) : null;
        String contentType = req.has("contentType") ? text(req.get("contentType")) : null;
        checkContentType(contentType);
        synchronized (lock) {
            Entry e = secrets.get(name.toLowerCase(Locale.ROOT));
            if (e == null) {
                throw secretNotFound(name);
            }
            Version v = version == null ? e.latest() : e.find(version);
            if (v == null) {
                throw secretNotFound(name + "/" + version);
            }
            if (tags != null) {
                v.tags = tags;
            }
            if (req.has("contentType")) {
                v.contentType = contentType;
            }
            applyAttributes(v, req.get("attributes"));
            v.updated = now();
            return Reply.ok(bundle(e, v, false));
        }
    }

    private Reply delete(String name) {
        synchronized (lock) {
            String key = name.toLowerCase(Locale.ROOT);
            Entry e = secrets.remove(key);
            if (e == null) {
                throw secretNotFound(name);
            }
            Deleted d = new Deleted(e, now());
            deleted.put(key, d);
            return Reply.ok(deletedBundle(d));
        }
    }

    private Reply getDeleted(String name) {
        synchronized (lock) {
            Deleted d = deleted.get(name.toLowerCase(Locale.ROOT));
            if (d == null) {
                throw new Problem(404, "SecretNotFound", "Deleted Secret not found: " + name, null);
            }
            return Reply.ok(deletedBundle(d));
        }
    }

    private Reply recover(String name) {
        synchronized (lock) {
            String key = name.toLowerCase(Locale.ROOT);
            Deleted d = deleted.get(key);
            if (d == null) {
                throw new Problem(404, "SecretNotFound", "Deleted Secret not found: " + name, null);
            }
            if (secrets.containsKey(key)) {
                throw new Problem(409, "Conflict", "A secret named " + name + " already exists.", null);
            }
            deleted.remove(key);
            secrets.put(key, d.entry());
            return Reply.ok(bundle(d.entry(), d.entry().latest(), false));
        }
    }

    private Reply purge(String name) {
        synchronized (lock) {
            String key = name.toLowerCase(Locale.ROOT);
            if (!deleted.containsKey(key)) {
                throw new Problem(404, "SecretNotFound", "Deleted Secret not found: " + name, null);
            }
            if (purgeProtection) {
                throw new Problem(403, "Forbidden", "Operation \"purge\" is not allowed because purge protection is enabled for"
                        + " this vault. Key Vault service will automatically purge it after the retention period has passed.",
                        "PurgeProtectionEnabled");
            }
            deleted.remove(key);
            return new Reply(204, null, Map.of());
        }
    }

    private Reply listSecrets(String path, Map<String, String> query) {
        List<ObjectNode> items = new ArrayList<>();
        synchronized (lock) {
            for (Entry e : secrets.values()) {
                items.add(item(e, e.latest(), false));
            }
        }
        return page(path, query, items);
    }

    private Reply listVersions(String path, String name, Map<String, String> query) {
        List<ObjectNode> items = new ArrayList<>();
        synchronized (lock) {
            Entry e = secrets.get(name.toLowerCase(Locale.ROOT));
            if (e == null) {
                throw secretNotFound(name);
            }
            // the service documents no order: list by version id, which is random
            e.versions.stream().sorted(Comparator.comparing(v -> v.id)).forEach(v -> items.add(item(e, v, true)));
        }
        return page(path, query, items);
    }

    private Reply listDeleted(String path, Map<String, String> query) {
        List<ObjectNode> items = new ArrayList<>();
        synchronized (lock) {
            for (Deleted d : deleted.values()) {
                ObjectNode item = item(d.entry(), d.entry().latest(), false);
                item.put("recoveryId", vaultUrl() + "/deletedsecrets/" + d.entry().name);
                item.put("deletedDate", d.deletedDate());
                item.put("scheduledPurgeDate", d.deletedDate() + Duration.ofDays(90).toSeconds());
                items.add(item);
            }
        }
        return page(path, query, items);
    }

    private Reply page(String path, Map<String, String> query, List<ObjectNode> items) {
        int max = PAGE_MAX;
        String m = query.get("maxresults");
        if (m != null && !m.isEmpty()) {
            try {
                max = Integer.parseInt(m);
            } catch (NumberFormatException e) {
                throw new Problem(400, "BadParameter", "maxresults must be a number", null);
            }
            if (max < 1 || max > PAGE_MAX) {
                throw new Problem(400, "BadParameter", "maxresults must be between 1 and " + PAGE_MAX, null);
            }
        }
        int from = 0;
        String token = query.get("$skiptoken");
        if (token != null && !token.isEmpty()) {
            from = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII));
        }
        int to = Math.min(items.size(), from + max);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode value = root.putArray("value");
        items.subList(Math.min(from, items.size()), to).forEach(value::add);
        if (to < items.size()) {
            String next = Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(to).getBytes(StandardCharsets.US_ASCII));
            root.put("nextLink", vaultUrl() + path + "?api-version=" + query.get("api-version") + "&maxresults=" + max
                    + "&$skiptoken=" + next);
        } else {
            root.putNull("nextLink");
        }
        return Reply.ok(root);
    }

    // ---- JSON shapes ---------------------------------------------------------------------------

    private ObjectNode bundle(Entry e, Version v, boolean withValue) {
        ObjectNode n = JSON.createObjectNode();
        if (withValue) {
            n.put("value", v.value);
        }
        n.put("id", vaultUrl() + "/secrets/" + e.name + "/" + v.id);
        if (v.contentType != null) {
            n.put("contentType", v.contentType);
        }
        n.set("attributes", attributes(v));
        if (!v.tags.isEmpty()) {
            ObjectNode t = n.putObject("tags");
            v.tags.forEach(t::put);
        }
        return n;
    }

    private ObjectNode item(Entry e, Version v, boolean withVersion) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", vaultUrl() + "/secrets/" + e.name + (withVersion ? "/" + v.id : ""));
        if (v.contentType != null) {
            n.put("contentType", v.contentType);
        }
        n.set("attributes", attributes(v));
        if (!v.tags.isEmpty()) {
            ObjectNode t = n.putObject("tags");
            v.tags.forEach(t::put);
        }
        return n;
    }

    private ObjectNode deletedBundle(Deleted d) {
        ObjectNode n = bundle(d.entry(), d.entry().latest(), false);
        n.put("recoveryId", vaultUrl() + "/deletedsecrets/" + d.entry().name);
        n.put("deletedDate", d.deletedDate());
        n.put("scheduledPurgeDate", d.deletedDate() + Duration.ofDays(90).toSeconds());
        return n;
    }

    private ObjectNode attributes(Version v) {
        ObjectNode a = JSON.createObjectNode();
        a.put("enabled", v.enabled);
        if (v.nbf != null) {
            a.put("nbf", v.nbf);
        }
        if (v.exp != null) {
            a.put("exp", v.exp);
        }
        a.put("created", v.created);
        a.put("updated", v.updated);
        a.put("recoveryLevel", purgeProtection ? "Recoverable" : "Recoverable+Purgeable");
        a.put("recoverableDays", 90);
        return a;
    }

    private static void applyAttributes(Version v, @Nullable JsonNode attributes) {
        if (attributes == null || !attributes.isObject()) {
            return;
        }
        if (attributes.has("enabled") && !attributes.get("enabled").isNull()) {
            v.enabled = attributes.get("enabled").asBoolean(true);
        }
        if (attributes.has("nbf")) {
            v.nbf = attributes.get("nbf").isNull() ? null : attributes.get("nbf").asLong();
        }
        if (attributes.has("exp")) {
            v.exp = attributes.get("exp").isNull() ? null : attributes.get("exp").asLong();
        }
    }

    private static Map<String, String> tags(@Nullable JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new Problem(400, "BadParameter", "tags must be an object", null);
        }
        node.fields().forEachRemaining(f -> {
            if (f.getKey().length() > 512) {
                throw new Problem(400, "BadParameter", "A tag name is longer than 512 characters.", null);
            }
            String value = f.getValue().isNull() ? "" : f.getValue().asText();
            if (value.length() > 256) {
                throw new Problem(400, "BadParameter", "The value of tag '" + f.getKey() + "' is longer than 256 characters.", null);
            }
            out.put(f.getKey(), value);
        });
        if (out.size() > 15) {
            throw new Problem(400, "BadParameter", "The number of tags exceeds the limit of 15.", null);
        }
        return out;
    }

    private static void checkContentType(@Nullable String contentType) {
        if (contentType != null && contentType.length() > 255) {
            throw new Problem(400, "BadParameter", "contentType is longer than 255 characters.", null);
        }
    }

    private static @Nullable String text(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new Problem(400, "BadParameter", "The request body must be a JSON object.", null);
            }
            return node;
        } catch (IOException e) {
            throw new Problem(400, "BadParameter", "The request body is not valid JSON.", null);
        }
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    private static String newVersionId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String newToken() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return "fake-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** For tests that need "now" as the fake sees it. */
    Instant instant() {
        return clock.instant();
    }
}
