package dev.rotor.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.AccessDeniedException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.RotorException;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.api.WriteOptions;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.HealthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.github.jopenlibs.vault.response.LookupResponse;
import io.github.jopenlibs.vault.rest.Rest;
import io.github.jopenlibs.vault.rest.RestException;
import io.github.jopenlibs.vault.rest.RestResponse;
import java.io.IOException;
import java.io.Serial;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP side of a Vault store: KV v2 calls through vault-java-driver, plus the two endpoints the
 * driver has no method for (reading and writing KV v2 metadata, which carries custom metadata),
 * called with the driver's own {@link Rest} class over the same HTTP client, token, namespace and
 * TLS settings. Every failure becomes a {@link RotorException}; bodies of Vault's error answers are
 * reduced to Vault's {@code errors} strings, and the driver's exceptions, whose messages quote
 * whole response bodies, are replaced by copies that keep only the status.
 *
 * <p>Thread-safe. The token in use is swapped atomically by {@link #useToken}.
 */
final class VaultClient implements AutoCloseable {

    /** Numbers keep their exact literal form, as Vault itself keeps them. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** A store-level operation that needs the token; see {@link #call}. */
    interface TokenRecovery {
        /** Called after a 403: true if the token was bad and has been replaced, so the call may be tried again. */
        boolean recover(String rejectedToken);
    }

    /** A token and the driver instance that sends it. */
    record Conn(String token, Vault vault) {
        @Override
        public String toString() {
            return "Conn[token=<redacted>]";
        }
    }

    /** One version of a KV v2 secret; {@code data} is null when the version is deleted or destroyed. */
    record KvVersion(long version, Instant created, @Nullable ObjectNode data) {}

    record KvWritten(long version, Instant created) {}

    record KvVersionMeta(Instant created, boolean deleted, boolean destroyed) {}

    record KvMetadata(long currentVersion, Map<Long, KvVersionMeta> versions, Map<String, String> customMetadata) {}

    /** What a login, lookup or renewal told about a token. The token itself is never printed. */
    record TokenGrant(String token, Duration ttl, boolean renewable) {
        @Override
        public String toString() {
            return "TokenGrant[token=<redacted>, ttl=" + ttl + ", renewable=" + renewable + "]";
        }
    }

    private final String store;
    private final String address;
    private final String mount;
    private final int mountDepth;
    private final @Nullable String namespace;
    private final HttpClient http;
    private final int readTimeoutSeconds;
    private volatile @Nullable Conn session;
    private volatile TokenRecovery recovery = token -> false;

    VaultClient(String store, String address, String mount, @Nullable String namespace, HttpClient http, Duration readTimeout) {
        this.store = store;
        this.address = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        this.mount = mount;
        this.mountDepth = mount.split("/").length;
        this.namespace = namespace == null || namespace.isEmpty() ? null : namespace;
        this.http = new HeaderCapturingHttpClient(http);
        this.readTimeoutSeconds = (int) Math.max(1, (readTimeout.toMillis() + 999) / 1000);
    }

    String store() {
        return store;
    }

    String address() {
        return address;
    }

    void recovery(TokenRecovery newRecovery) {
        this.recovery = Objects.requireNonNull(newRecovery);
    }

    void useToken(String token) {
        session = new Conn(token, driver(token));
    }

    @Nullable String currentToken() {
        Conn s = session;
        return s == null ? null : s.token();
    }

    private Vault driver(@Nullable String token) {
        try {
            VaultConfig config = new VaultConfig()
                    // The driver would otherwise read VAULT_TOKEN, VAULT_ADDR and ~/.vault-token itself.
                    .environmentLoader(new NoEnvironment())
                    .address(address)
                    .engineVersion(2)
                    .prefixPathDepth(mountDepth)
                    .readTimeout(readTimeoutSeconds)
                    .httpClient(http);
            if (token != null) {
                config.token(token);
            }
            if (namespace != null) {
                config.nameSpace(namespace);
            }
            return Vault.create(config.build(), 2).withRetries(0, 0);
        } catch (VaultException e) {
            throw new RotorException("store '" + store + "': cannot set up the Vault client: " + e.getMessage());
        }
    }

    /** Runs a call with the current token; after a 403 caused by a bad token it re-authenticates once and tries again. */
    <T> T call(TokenCall<T> body) {
        Conn s = Objects.requireNonNull(session, "not logged in");
        try {
            return body.run(s);
        } catch (AccessDeniedException denied) {
            if (!recovery.recover(s.token())) {
                throw denied;
            }
            return body.run(Objects.requireNonNull(session));
        }
    }

    interface TokenCall<T> {
        T run(Conn conn);
    }

    // ---- KV v2 -----------------------------------------------------------------------------

    private String kv(String path) {
        return mount + "/" + path;
    }

    /** A version (or the latest); null when the secret or version does not exist at all. */
    @Nullable KvVersion readData(Conn c, String path, @Nullable Long version) {
        String where = mount + "/data/" + path;
        LogicalResponse response;
        try {
            response = version == null
                    ? c.vault().logical().read(kv(path))
                    : c.vault().logical().read(kv(path), false, Math.toIntExact(version));
        } catch (VaultException e) {
            throw fromDriver("read", where, e);
        }
        RestResponse rest = response.getRestResponse();
        int status = rest.getStatus();
        if (status != 200 && status != 404) {
            throw failure("read", where, status, rest.getBody(), null);
        }
        JsonNode root = parse(rest.getBody());
        JsonNode data = root.path("data");
        JsonNode metadata = data.path("metadata");
        if (!metadata.isObject()) {
            if (status == 404) {
                return null;
            }
            throw malformed("read", where);
        }
        long v = metadata.path("version").asLong(0);
        boolean gone = metadata.path("destroyed").asBoolean(false) || !metadata.path("deletion_time").asText("").isEmpty();
        JsonNode values = data.path("data");
        ObjectNode content = status == 200 && !gone && values.isObject() ? (ObjectNode) values : null;
        return new KvVersion(v, instant(metadata.path("created_time")), content);
    }

    /**
     * Writes a new version, with check-and-set if {@code cas} is given: only if the secret is at that
     * version (0: does not exist yet). Null if the check-and-set failed.
     */
    @Nullable KvWritten writeData(Conn c, String path, ObjectNode data, @Nullable Long cas) {
        String where = mount + "/data/" + path;
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : data.properties()) {
            fields.put(field.getKey(), Json.parse(field.getValue().toString()));
        }
        LogicalResponse response;
        try {
            WriteOptions options = cas == null ? new WriteOptions().build() : new WriteOptions().checkAndSet(cas).build();
            response = c.vault().logical().write(kv(path), fields, null, options);
        } catch (VaultException e) {
            throw fromDriver("write", where, e);
        }
        RestResponse rest = response.getRestResponse();
        int status = rest.getStatus();
        if (status == 400 && errors(rest.getBody()).contains("check-and-set parameter did not match")) {
            return null;
        }
        if (status != 200) {
            throw failure("write", where, status, rest.getBody(), null);
        }
        JsonNode result = parse(rest.getBody()).path("data");
        if (!result.path("version").canConvertToLong()) {
            throw malformed("write", where);
        }
        return new KvWritten(result.path("version").asLong(), instant(result.path("created_time")));
    }

    /** KV v2 metadata (not in the driver); null if the secret has none. */
    @Nullable KvMetadata readMetadata(Conn c, String path) {
        String where = mount + "/metadata/" + path;
        RestResponse rest = rest(c, where).get(this, "read metadata of", where);
        if (rest.getStatus() == 404) {
            return null;
        }
        if (rest.getStatus() != 200) {
            throw failure("read metadata of", where, rest.getStatus(), rest.getBody(), null);
        }
        JsonNode data = parse(rest.getBody()).path("data");
        Map<Long, KvVersionMeta> versions = new TreeMap<>();
        for (Map.Entry<String, JsonNode> v : data.path("versions").properties()) {
            try {
                versions.put(Long.parseLong(v.getKey()), new KvVersionMeta(instant(v.getValue().path("created_time")),
                        !v.getValue().path("deletion_time").asText("").isEmpty(), v.getValue().path("destroyed").asBoolean(false)));
            } catch (NumberFormatException e) {
                throw malformed("read metadata of", where);
            }
        }
        Map<String, String> custom = new TreeMap<>();
        data.path("custom_metadata").properties().forEach(e -> custom.put(e.getKey(), e.getValue().asText()));
        return new KvMetadata(data.path("current_version").asLong(0), Collections.unmodifiableMap(versions), Collections.unmodifiableMap(custom));
    }

    /** Writes KV v2 metadata (not in the driver); fields left out of {@code body} keep their values. */
    void writeMetadata(Conn c, String path, ObjectNode body) {
        String where = mount + "/metadata/" + path;
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        RestResponse rest = rest(c, where).body(json).post(this, "write metadata of", where);
        if (rest.getStatus() != 204 && rest.getStatus() != 200) {
            throw failure("write metadata of", where, rest.getStatus(), rest.getBody(), null);
        }
    }

    /** Deletes every version and the metadata of a secret, permanently. */
    void deleteMetadata(Conn c, String path) {
        String where = mount + "/metadata/" + path;
        try {
            c.vault().logical().delete(kv(path));
        } catch (VaultException e) {
            if (e.getHttpStatusCode() == 404) {
                return;
            }
            throw fromDriver("delete", where, e);
        }
    }

    /** Destroys versions permanently (their data, not the metadata). */
    void destroyVersions(Conn c, String path, List<Long> versions) {
        if (versions.isEmpty()) {
            return;
        }
        int[] numbers = versions.stream().mapToInt(Math::toIntExact).toArray();
        try {
            c.vault().logical().destroy(kv(path), numbers);
        } catch (VaultException e) {
            throw fromDriver("destroy versions of", mount + "/destroy/" + path, e);
        }
    }

    /** The keys directly under a folder ("" for the mount's top), folders ending in '/'; empty if there is none. */
    List<String> list(Conn c, String folder) {
        String where = mount + "/metadata/" + folder;
        LogicalResponse response;
        try {
            response = c.vault().logical().list(mount + "/" + folder);
        } catch (VaultException e) {
            throw fromDriver("list", where, e);
        }
        if (response == null || response.getRestResponse().getStatus() == 404) {
            return List.of();
        }
        RestResponse rest = response.getRestResponse();
        if (rest.getStatus() != 200) {
            throw failure("list", where, rest.getStatus(), rest.getBody(), null);
        }
        List<String> keys = new ArrayList<>();
        parse(rest.getBody()).path("data").path("keys").forEach(k -> keys.add(k.asText()));
        return keys;
    }

    // ---- tokens ----------------------------------------------------------------------------

    TokenGrant lookupSelf(String token) {
        try {
            LookupResponse r = driver(token).auth().lookupSelf();
            return new TokenGrant(token, Duration.ofSeconds(Math.max(0, r.getTTL())), r.isRenewable());
        } catch (VaultException e) {
            throw fromDriver("look up", "auth/token/lookup-self", e);
        }
    }

    TokenGrant renewSelf(String token, Duration increment) {
        try {
            AuthResponse r = driver(token).auth().renewSelf(increment.toSeconds());
            return grant(r, "auth/token/renew-self");
        } catch (VaultException e) {
            throw fromDriver("renew", "auth/token/renew-self", e);
        }
    }

    TokenGrant loginAppRole(String authMount, String roleId, @Nullable String secretId) {
        String where = "auth/" + authMount + "/login";
        try {
            return grant(driver(null).auth().loginByAppRole(authMount, roleId, secretId), where);
        } catch (VaultException e) {
            throw fromDriver("log in at", where, e);
        }
    }

    TokenGrant loginKubernetes(String authMount, String role, String jwt) {
        String where = "auth/" + authMount + "/login";
        try {
            return grant(driver(null).auth().loginByKubernetes(role, jwt, "auth/" + authMount), where);
        } catch (VaultException e) {
            throw fromDriver("log in at", where, e);
        }
    }

    private TokenGrant grant(AuthResponse r, String where) {
        String token = r.getAuthClientToken();
        if (token == null || token.isEmpty()) {
            throw malformed("log in at", where);
        }
        return new TokenGrant(token, Duration.ofSeconds(Math.max(0, r.getAuthLeaseDuration())), r.isAuthRenewable());
    }

    /** {@code sys/health}: initialized, unsealed and active (or a standby, which forwards requests). */
    @Nullable String healthProblem() {
        HealthResponse h;
        try {
            h = driver(null).debug().health();
        } catch (VaultException e) {
            return fromDriver("check", "sys/health", e).getMessage();
        }
        if (Boolean.FALSE.equals(h.getInitialized())) {
            return "Vault at " + address + " is not initialized";
        }
        if (Boolean.TRUE.equals(h.getSealed())) {
            return "Vault at " + address + " is sealed";
        }
        return null;
    }

    // ---- raw HTTP for what the driver lacks ---------------------------------------------------

    private RawRequest rest(Conn c, String where) {
        String token = c.token();
        Rest rest = new Rest(http)
                .url(address + "/v1/" + where)
                .header("X-Vault-Token", token)
                .header("X-Vault-Namespace", namespace)
                .header("X-Vault-Request", "true")
                .readTimeoutSeconds(readTimeoutSeconds);
        return new RawRequest(rest);
    }

    private record RawRequest(Rest rest) {
        RawRequest body(byte[] json) {
            rest.body(json);
            return this;
        }

        RestResponse get(VaultClient client, String action, String where) {
            try {
                return rest.get();
            } catch (RestException e) {
                throw client.unreachable(action, where, e);
            }
        }

        RestResponse post(VaultClient client, String action, String where) {
            try {
                return rest.post();
            } catch (RestException e) {
                throw client.unreachable(action, where, e);
            }
        }
    }

    // ---- errors ----------------------------------------------------------------------------

    private RotorException unreachable(String action, String where, Exception e) {
        return new ProviderUnavailableException("store '" + store + "': cannot " + action + " '" + where + "': Vault at "
                + address + " did not answer (" + rootCause(e) + ")", true, e);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    RotorException fromDriver(String action, String where, VaultException e) {
        int status = e.getHttpStatusCode();
        if (status == 0) {
            if (e.getCause() instanceof RestException || e.getCause() instanceof IOException) {
                return unreachable(action, where, e);
            }
            return new RotorException("store '" + store + "': cannot " + action + " '" + where + "': "
                    + printable(String.valueOf(e.getMessage()), 200), null);
        }
        String message = String.valueOf(e.getMessage());
        int at = message.indexOf("Response body: ");
        byte[] body = at < 0 ? new byte[0] : message.substring(at + "Response body: ".length()).getBytes(StandardCharsets.UTF_8);
        return failure(action, where, status, body, new SanitizedVaultException(status, e));
    }

    /** Maps an HTTP error answer of Vault to the matching Rotor exception. */
    RotorException failure(String action, String where, int status, byte[] body, @Nullable Throwable cause) {
        String errors = errors(body);
        String what = "store '" + store + "': Vault refused to " + action + " '" + where + "'"
                + (errors.isEmpty() ? "" : ": " + errors) + " (HTTP " + status + ")";
        // A login that Vault answers with 400 was refused for bad credentials (e.g. "invalid role or secret ID").
        if (status == 401 || status == 403 || (status == 400 && action.startsWith("log in"))) {
            return new AccessDeniedException(what, cause);
        }
        if (status == 429) {
            return new ProviderUnavailableException(what, true, retryAfter(), cause);
        }
        if (status == 412 || status >= 500) {
            String hint = status == 503 ? " - sealed, in standby or overloaded" : "";
            return new ProviderUnavailableException(what + hint, true, retryAfter(), cause);
        }
        return new RotorException(what, cause);
    }

    private RotorException malformed(String action, String where) {
        return new ProviderUnavailableException("store '" + store + "': cannot " + action + " '" + where
                + "': Vault's answer is not what the KV v2 API describes", false, null);
    }

    private static @Nullable Duration retryAfter() {
        return HeaderCapturingHttpClient.lastRetryAfter().map(VaultClient::parseRetryAfter).orElse(null);
    }

    static @Nullable Duration parseRetryAfter(String header) {
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** Vault's {@code errors} strings, joined, shortened and made printable; never anything else of the body. */
    static String errors(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return "";
        }
        if (root == null) {
            return "";
        }
        List<String> out = new ArrayList<>();
        root.path("errors").forEach(e -> {
            if (e.isTextual() && !e.asText().isBlank()) {
                out.add(e.asText().trim());
            }
        });
        return printable(String.join("; ", out), 300);
    }

    static String printable(String text, int max) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && sb.length() < max; i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c != 0x7f ? c : ' ');
        }
        if (text.length() > max) {
            sb.append("...");
        }
        return sb.toString();
    }

    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.createObjectNode() : node;
        } catch (JsonProcessingException e) {
            // The parser's message quotes the input, which may be a secret: never pass it on.
            throw new ProviderUnavailableException("Vault's answer is not JSON", false, null);
        } catch (IOException e) {
            throw new ProviderUnavailableException("Vault's answer could not be read", false, null);
        }
    }

    static Instant instant(JsonNode text) {
        try {
            return text.isTextual() && !text.asText().isEmpty() ? Instant.parse(text.asText()) : Instant.EPOCH;
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    @Override
    public void close() {
        http.close();
    }

    /** The driver's exception without the response body its message quotes. */
    static final class SanitizedVaultException extends VaultException {
        @Serial
        private static final long serialVersionUID = 1L;

        SanitizedVaultException(int status, VaultException original) {
            super("Vault answered HTTP " + status, status);
            setStackTrace(original.getStackTrace());
        }
    }

    /** Reads no environment: every setting comes from Rotor's configuration. */
    private static final class NoEnvironment extends EnvironmentLoader {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public @Nullable String loadVariable(String name) {
            return null;
        }
    }
}
