package dev.rotor.api.internal;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.api.AdminService;
import dev.rotor.api.ApiPrincipal;
import dev.rotor.api.AuthFailure;
import dev.rotor.api.AuthFailureListener;
import dev.rotor.api.HealthReport;
import dev.rotor.api.RunSummary;
import dev.rotor.api.Scope;
import dev.rotor.api.SecretSummary;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.audit.AuditSink;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's request handling, independent of the HTTP server: route, authenticate, rate
 * limit, authorize, call the {@link AdminService}, audit, and answer with JSON. Every refusal
 * is a 4xx with {@code {code, message, requestId}}; a 5xx comes only from the daemon or an
 * unreachable token issuer or audit sink, and its body never holds an exception's text.
 *
 * <p>Public endpoints (no credentials): {@code GET /health}, {@code /ready},
 * {@code /openapi.yaml}, {@code /.well-known/jwks.json}; {@code /metrics} too if configured.
 * Everything else, including unknown paths, needs a valid credential first (deny by default).
 *
 * <p>Thread-safe: one instance serves all requests.
 */
public final class ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    public static final int MAX_BODY_BYTES = 16 * 1024;
    static final int MAX_PATH_LENGTH = 2048;
    static final int DEFAULT_RUNS = 100;
    static final int MAX_RUNS = 1000;
    /** The audit store name of calls that do not name a secret. */
    static final String NO_STORE = "-";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final AdminService service;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final @Nullable MetricRegistry metrics;
    private final AuditSink audit;
    private final AuthFailureListener authFailures;
    private final Clock clock;
    private final boolean publicMetrics;
    private final boolean tls;
    private final byte[] openApi;

    public ApiHandler(AdminService service, Authenticator authenticator, RateLimiter rateLimiter, @Nullable MetricRegistry metrics,
            AuditSink audit, AuthFailureListener authFailures, Clock clock, boolean publicMetrics, boolean tls) {
        this.service = Objects.requireNonNull(service, "service");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
        this.metrics = metrics;
        this.audit = Objects.requireNonNull(audit, "audit");
        this.authFailures = Objects.requireNonNull(authFailures, "authFailures");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.publicMetrics = publicMetrics;
        this.tls = tls;
        this.openApi = openApiDocument();
    }

    /** The OpenAPI document served at {@code /openapi.yaml}. */
    public static byte[] openApiDocument() {
        try (InputStream in = ApiHandler.class.getResourceAsStream("/dev/rotor/api/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("openapi.yaml cannot be read", e);
        }
    }

    // ------------------------------------------------------------------ routes

    /** A route: its template (as the OpenAPI document names it), methods, and who may call it. */
    enum Route {
        HEALTH("/health", "GET", null, true),
        READY("/ready", "GET", null, true),
        OPENAPI("/openapi.yaml", "GET", null, true),
        JWKS("/.well-known/jwks.json", "GET", null, true),
        METRICS("/metrics", "GET", Scope.READ, false),
        SECRETS("/v1/secrets", "GET", Scope.READ, false),
        RUNS("/v1/runs", "GET", Scope.READ, false),
        EVENTS("/v1/events", "GET", Scope.READ, false),
        // The body decides between rotor.rotate and rotor.emergency; either lets the body be read.
        ROTATE("/v1/secrets/{store}/{path}/rotate", "POST", null, false),
        UNKNOWN("", "", null, false);

        final String template;
        final String method;
        final @Nullable Scope scope;
        final boolean open;

        Route(String template, String method, @Nullable Scope scope, boolean open) {
            this.template = template;
            this.method = method;
            this.scope = scope;
            this.open = open;
        }
    }

    private record Matched(Route route, @Nullable SecretRef ref, @Nullable String badRef) {}

    private static Matched match(String path) {
        for (Route r : Route.values()) {
            if (r != Route.ROTATE && r != Route.UNKNOWN && r.template.equals(path)) {
                return new Matched(r, null, null);
            }
        }
        String prefix = "/v1/secrets/";
        String suffix = "/rotate";
        if (path.startsWith(prefix) && path.endsWith(suffix) && path.length() > prefix.length() + suffix.length()) {
            String inner = path.substring(prefix.length(), path.length() - suffix.length());
            int slash = inner.indexOf('/');
            if (slash <= 0 || slash == inner.length() - 1) {
                return new Matched(Route.ROTATE, null, "the path must be /v1/secrets/{store}/{path}/rotate");
            }
            try {
                return new Matched(Route.ROTATE, SecretRef.of(inner.substring(0, slash), inner.substring(slash + 1)), null);
            } catch (InvalidSecretRefException | IllegalArgumentException e) {
                // Say what is allowed rather than echo the input back.
                return new Matched(Route.ROTATE, null, "store must be [a-z0-9-], path segments [A-Za-z0-9._-] (no percent-encoding)");
            }
        }
        return new Matched(Route.UNKNOWN, null, null);
    }

    // ------------------------------------------------------------------ handling

    /** Per-request state for the audit record and the response. */
    private final class Call {
        final String requestId = UUID.randomUUID().toString();
        final Instant start = clock.instant();
        final ApiRequest request;
        Route route = Route.UNKNOWN;
        @Nullable SecretRef ref;
        @Nullable ApiPrincipal principal;
        @Nullable String detail;
        @Nullable String versionId;

        Call(ApiRequest request) {
            this.request = request;
        }

        String actor() {
            return principal != null ? principal.name() : "anonymous@" + Names.safe(request.remoteAddress());
        }
    }

    public ApiResponse handle(ApiRequest request) {
        Call call = new Call(request);
        ApiResponse response;
        try {
            response = dispatch(call);
        } catch (RuntimeException e) {
            // The daemon's failure: its message may quote anything, so neither the client nor the
            // log gets it; the type and where it was thrown find it.
            StackTraceElement at = e.getStackTrace().length == 0 ? null : e.getStackTrace()[0];
            LOG.error("request {} {} {} failed: {} at {}", call.requestId, Names.safe(request.method()), call.route.template,
                    e.getClass().getName(), at);
            response = error(call, 500, "internal_error", "the request failed; see the server log for request " + call.requestId);
        }
        response = finish(call, response);
        return withStandardHeaders(call, response);
    }

    private ApiResponse dispatch(Call call) {
        ApiRequest request = call.request;
        String path = request.path();
        if (path.length() > MAX_PATH_LENGTH) {
            return error(call, 414, "uri_too_long", "the path is longer than " + MAX_PATH_LENGTH + " characters");
        }
        Matched m = match(path);
        call.route = m.route();
        call.ref = m.ref();
        boolean open = m.route().open || (m.route() == Route.METRICS && publicMetrics);

        if (!open) {
            switch (authenticator.authenticate(request)) {
                case Authenticator.Result.Anonymous a -> {
                    return limited(call, "addr:" + request.remoteAddress())
                            .orElseGet(() -> unauthorized(call, "unauthorized", "credentials are required", null));
                }
                case Authenticator.Result.Refused r -> {
                    LOG.info("request {} refused credentials from {}: {}", call.requestId, Names.safe(request.remoteAddress()), r.why());
                    return limited(call, "addr:" + request.remoteAddress())
                            .orElseGet(() -> unauthorized(call, r.code(), "the credentials were not accepted", r.code()));
                }
                case Authenticator.Result.Unavailable u -> {
                    LOG.warn("request {}: token issuer unavailable ({})", call.requestId, u.why());
                    return error(call, 503, "auth_unavailable", "the token issuer cannot be reached; try again later");
                }
                case Authenticator.Result.Authenticated ok -> call.principal = ok.principal();
            }
        }
        Optional<ApiResponse> limited = limited(call, call.principal != null ? "principal:" + call.principal.name() : "addr:" + request.remoteAddress());
        if (limited.isPresent()) {
            return limited.get();
        }
        if (m.route() == Route.UNKNOWN) {
            return error(call, 404, "not_found", "no such endpoint");
        }
        if (!m.route().method.equals(request.method())) {
            ApiResponse r = error(call, 405, "method_not_allowed", "use " + m.route().method);
            return withHeader(r, "Allow", m.route().method);
        }
        if (m.route().scope != null && !m.route().open && !(m.route() == Route.METRICS && publicMetrics)) {
            ApiResponse denied = requireScope(call, m.route().scope);
            if (denied != null) {
                return denied;
            }
        }
        return switch (m.route()) {
            case HEALTH -> health(call, service.health());
            case READY -> health(call, service.readiness());
            case OPENAPI -> new ApiResponse(200, Map.of("Content-Type", "application/yaml; charset=utf-8"), openApi);
            case JWKS -> service.jwks()
                    .map(j -> new ApiResponse(200, Map.of("Content-Type", "application/jwk-set+json",
                            "Cache-Control", "public, max-age=300"), j.getBytes(StandardCharsets.UTF_8)))
                    .orElseGet(() -> error(call, 404, "not_found", "no signing keys are managed here"));
            case METRICS -> new ApiResponse(200, Map.of("Content-Type", PrometheusText.CONTENT_TYPE),
                    PrometheusText.format(metrics == null ? new MetricRegistry() : metrics).getBytes(StandardCharsets.UTF_8));
            case SECRETS -> secrets(call);
            case RUNS -> runs(call);
            case EVENTS -> events(call);
            case ROTATE -> rotate(call, m);
            case UNKNOWN -> error(call, 404, "not_found", "no such endpoint");
        };
    }

    private Optional<ApiResponse> limited(Call call, String client) {
        return rateLimiter.tryAcquire(client).map(wait -> {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return withHeader(error(call, 429, "rate_limited", "too many requests; retry after " + seconds + "s"),
                    "Retry-After", Long.toString(seconds));
        });
    }

    private @Nullable ApiResponse requireScope(Call call, Scope scope) {
        ApiPrincipal p = Objects.requireNonNull(call.principal);
        if (p.has(scope)) {
            return null;
        }
        ApiResponse r = error(call, 403, "insufficient_scope", "this call needs the scope " + scope.value());
        return withHeader(r, "WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + scope.value() + "\"");
    }

    private ApiResponse unauthorized(Call call, String code, String message, @Nullable String bearerError) {
        ApiResponse r = error(call, 401, code, message);
        return withHeader(r, "WWW-Authenticate", bearerError == null ? "Bearer realm=\"rotor\"" : "Bearer realm=\"rotor\", error=\"" + bearerError + "\"");
    }

    private ApiResponse health(Call call, HealthReport report) {
        ObjectNode body = JSON.createObjectNode().put("status", report.up() ? "up" : "down");
        ObjectNode checks = body.putObject("checks");
        report.checks().forEach(checks::put);
        return json(report.up() ? 200 : 503, body);
    }

    private ApiResponse secrets(Call call) {
        if (call.request.query() != null && !call.request.query().isEmpty()) {
            return error(call, 400, "bad_request", "this endpoint takes no query parameters");
        }
        List<SecretSummary> list = service.secrets();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("secrets");
        for (SecretSummary s : list) {
            ObjectNode o = items.addObject();
            o.put("ref", s.ref().format());
            o.put("store", s.ref().store());
            o.put("path", s.ref().path());
            putNullable(o, "rotator", s.rotator());
            putNullable(o, "currentVersionId", s.currentVersionId());
            putNullable(o, "lastRotated", s.lastRotated() == null ? null : s.lastRotated().toString());
            putNullable(o, "nextDue", s.nextDue() == null ? null : s.nextDue().toString());
            o.put("state", s.state());
        }
        call.detail = list.size() + " secrets";
        return json(200, body);
    }

    /** Authorizes a stream; the server then writes it from the {@link EventHub}. */
    private ApiResponse events(Call call) {
        if (call.request.query() != null && !call.request.query().isEmpty()) {
            return error(call, 400, "bad_request", "this endpoint takes no query parameters");
        }
        call.detail = "stream opened";
        return new ApiResponse(200, Map.of("Content-Type", ApiResponse.EVENT_STREAM, "Cache-Control", "no-store",
                "X-Accel-Buffering", "no"), new byte[0]);
    }

    private ApiResponse runs(Call call) {
        int limit = DEFAULT_RUNS;
        String q = call.request.query();
        if (q != null && !q.isEmpty()) {
            if (!q.startsWith("limit=") || q.indexOf('&') >= 0) {
                return error(call, 400, "bad_request", "the only query parameter is limit=1.." + MAX_RUNS);
            }
            String v = q.substring("limit=".length());
            if (v.isEmpty() || v.length() > 4 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return error(call, 400, "bad_request", "limit must be a whole number from 1 to " + MAX_RUNS);
            }
            limit = Integer.parseInt(v);
            if (limit < 1 || limit > MAX_RUNS) {
                return error(call, 400, "bad_request", "limit must be a whole number from 1 to " + MAX_RUNS);
            }
        }
        List<RunSummary> list = service.runs(limit);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("runs");
        for (RunSummary r : list.subList(0, Math.min(limit, list.size()))) {
            ObjectNode o = items.addObject();
            o.put("runId", r.runId());
            o.put("ref", r.ref().format());
            o.put("outcome", r.outcome());
            o.put("emergency", r.emergency());
            o.put("actor", r.actor());
            putNullable(o, "reason", r.reason());
            o.put("started", r.started().toString());
            putNullable(o, "ended", r.ended() == null ? null : r.ended().toString());
            putNullable(o, "step", r.step());
            putNullable(o, "message", r.message());
        }
        call.detail = list.size() + " runs";
        return json(200, body);
    }

    private ApiResponse rotate(Call call, Matched m) {
        ApiPrincipal p = Objects.requireNonNull(call.principal);
        if (!p.has(Scope.ROTATE) && !p.has(Scope.EMERGENCY)) {
            return requireScope(call, Scope.ROTATE);
        }
        if (m.badRef() != null || m.ref() == null) {
            return error(call, 400, "bad_request", Objects.requireNonNullElse(m.badRef(), "bad secret reference"));
        }
        if (call.request.query() != null && !call.request.query().isEmpty()) {
            return error(call, 400, "bad_request", "this endpoint takes no query parameters");
        }
        if (call.request.bodyTooLarge()) {
            return error(call, 413, "payload_too_large", "the body must be at most " + MAX_BODY_BYTES + " bytes");
        }
        boolean emergency = false;
        String reason = null;
        byte[] raw = call.request.body();
        if (raw.length > 0) {
            String type = call.request.header("content-type");
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).strip().startsWith("application/json")) {
                return error(call, 415, "unsupported_media_type", "send the body as application/json");
            }
            JsonNode body;
            try {
                body = JSON.readTree(raw);
            } catch (JsonProcessingException e) {
                return error(call, 400, "bad_request", "the body is not valid JSON");
            } catch (IOException e) {
                return error(call, 400, "bad_request", "the body cannot be read");
            }
            if (body == null || !body.isObject()) {
                return error(call, 400, "bad_request", "the body must be a JSON object {\"emergency\": bool, \"reason\": string}");
            }
            for (var it = body.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("emergency") && !f.equals("reason")) {
                    return error(call, 400, "bad_request", "unknown field in the body (known: emergency, reason)");
                }
            }
            JsonNode e = body.get("emergency");
            if (e != null && !e.isNull()) {
                if (!e.isBoolean()) {
                    return error(call, 400, "bad_request", "emergency must be true or false");
                }
                emergency = e.booleanValue();
            }
            JsonNode r = body.get("reason");
            if (r != null && !r.isNull()) {
                if (!r.isTextual()) {
                    return error(call, 400, "bad_request", "reason must be a string");
                }
                reason = r.textValue();
            }
        }
        Scope needed = emergency ? Scope.EMERGENCY : Scope.ROTATE;
        ApiResponse denied = requireScope(call, needed);
        if (denied != null) {
            return denied;
        }
        RotationRequest rotation;
        try {
            rotation = new RotationRequest(emergency, reason, p.name());
        } catch (IllegalArgumentException e) {
            // RotationRequest's messages are fixed texts that never quote the input.
            return error(call, 400, "bad_request", e.getMessage());
        }
        call.detail = emergency ? "emergency" : "routine";
        SecretRef ref = m.ref();
        RotationResult result;
        try {
            result = AuditContext.callAs(p.name(), call.requestId, () -> service.rotate(ref, rotation));
        } catch (RotationInProgressException e) {
            ApiResponse r = error(call, 409, "rotation_in_progress", "another rotation of this secret is running; retry after " + e.until());
            long wait = Math.max(1, Duration.between(clock.instant(), e.until()).toSeconds());
            return withHeader(r, "Retry-After", Long.toString(wait));
        } catch (SecretNotFoundException e) {
            return error(call, 404, "secret_not_found", "no managed secret " + ref.format());
        }
        ObjectNode body = JSON.createObjectNode().put("ref", ref.format());
        int status = 200;
        switch (result) {
            case RotationResult.Succeeded s -> {
                body.put("outcome", "succeeded").put("runId", s.runId());
                putNullable(body, "previousVersionId", s.previousVersionId());
                body.put("currentVersionId", s.currentVersionId()).put("emergency", s.emergency())
                        .put("previousRetired", s.previousRetired()).put("tookMillis", s.took().toMillis());
                call.versionId = s.currentVersionId();
            }
            case RotationResult.Failed f -> {
                // The rotation's target failed, not the request: 502, naming the step and Rotor's own message.
                status = 502;
                body.put("code", "rotation_failed").put("outcome", "failed").put("runId", f.runId()).put("step", f.step().name())
                        .put("rolledBack", f.rolledBack()).put("message", f.message()).put("requestId", call.requestId);
                putNullable(body, "currentVersionId", f.currentVersionId());
            }
            case RotationResult.RolledBack rb -> body.put("outcome", "rolled_back").put("runId", rb.runId()).put("message", rb.why());
            case RotationResult.Retired rt -> body.put("outcome", "retired").put("runId", rt.runId()).put("currentVersionId", rt.currentVersionId());
            case RotationResult.NothingToDo n -> body.put("outcome", "nothing_to_do").put("message", n.why());
        }
        return json(status, body);
    }

    // ------------------------------------------------------------------ audit, headers

    private ApiResponse finish(Call call, ApiResponse response) {
        int status = response.status();
        AuditOutcome outcome = status < 400 ? AuditOutcome.SUCCESS
                : status == 401 || status == 403 || status == 429 ? AuditOutcome.DENIED
                : status == 404 ? AuditOutcome.NOT_FOUND
                : status == 409 ? AuditOutcome.CONFLICT
                : AuditOutcome.ERROR;
        AuditAction action = switch (call.route) {
            case SECRETS, RUNS -> AuditAction.LIST;
            default -> AuditAction.API_CALL;
        };
        String detail = "api " + Names.safe(call.request.method()) + " " + (call.route == Route.UNKNOWN ? "(unknown)" : call.route.template)
                + " " + status + (call.detail == null ? "" : " " + call.detail);
        SecretRef ref = call.ref;
        AuditEvent event = AuditEvent.single(clock.instant(), call.actor(), action, ref == null ? NO_STORE : ref.store(),
                ref == null ? (call.route == Route.UNKNOWN ? "-" : call.route.template) : ref.path(), call.versionId, null,
                outcome, call.requestId, detail);
        ApiResponse out = response;
        if (metrics != null) {
            metrics.meter("rotor.api.responses." + (status / 100) + "xx").mark();
            metrics.timer("rotor.api.requests").update(Duration.between(call.start, clock.instant()));
        }
        try {
            audit.append(event);
        } catch (RuntimeException e) {
            LOG.error("request {}: audit sink {} failed ({})", call.requestId, audit.describe(), e.getClass().getSimpleName());
            // Fail closed: what was read is not handed out unaudited. Probes still answer.
            if (!call.route.open) {
                out = error(call, 503, "audit_unavailable", "the audit log cannot be written; the request was not completed");
            }
        }
        if (status == 401 || status == 403) {
            try {
                authFailures.onAuthFailure(new AuthFailure(clock.instant(), call.request.remoteAddress(), Names.safe(call.request.method()),
                        shorten(call.request.path()), status, codeOf(response), call.principal == null ? null : call.principal.name(),
                        call.requestId));
            } catch (RuntimeException e) {
                LOG.warn("auth failure listener failed: {}", e.getClass().getSimpleName());
            }
        }
        return out;
    }

    private static String codeOf(ApiResponse r) {
        try {
            return JSON.readTree(r.body()).path("code").asText("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The path as a listener may show it: at most 200 characters, nothing outside {@code [A-Za-z0-9._~%/-]}. */
    private static String shorten(String path) {
        String p = path.length() > 200 ? path.substring(0, 200) : path;
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".~%/-_".indexOf(c) >= 0;
            sb.append(ok ? c : '_');
        }
        return sb.toString();
    }

    private ApiResponse withStandardHeaders(Call call, ApiResponse r) {
        Map<String, String> h = new LinkedHashMap<>(r.headers());
        h.putIfAbsent("Content-Type", "application/json");
        h.put("X-Request-Id", call.requestId);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        h.put("Referrer-Policy", "no-referrer");
        h.putIfAbsent("Cache-Control", "no-store");
        if (tls) {
            h.put("Strict-Transport-Security", "max-age=31536000");
        }
        return new ApiResponse(r.status(), h, r.body());
    }

    private static ApiResponse withHeader(ApiResponse r, String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(r.headers());
        h.put(name, value);
        return new ApiResponse(r.status(), h, r.body());
    }

    private ApiResponse error(Call call, int status, String code, String message) {
        ObjectNode body = JSON.createObjectNode().put("code", code).put("message", message).put("requestId", call.requestId);
        return json(status, body);
    }

    private static ApiResponse json(int status, JsonNode body) {
        try {
            return new ApiResponse(status, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    private static void putNullable(ObjectNode o, String field, @Nullable String value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
