package dev.rotor.api;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.api.internal.ApiHandler;
import dev.rotor.api.internal.ApiRequest;
import dev.rotor.api.internal.ApiResponse;
import dev.rotor.api.internal.Authenticator;
import dev.rotor.api.internal.JwtVerifier;
import dev.rotor.api.internal.RateLimiter;
import dev.rotor.testkit.TestClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link ApiHandler} wired to test parts: a stub daemon, forged-token keys, two API keys, a test clock. */
final class Harness {

    static final String ISSUER = "https://sso.test/realms/ops";
    static final String AUDIENCE = "rotor";
    static final String READ_KEY = "rk_read_0123456789abcdef";
    static final String ALL_KEY = "rk_all_0123456789abcdef";

    final TestClock clock = TestClock.startingNow();
    final StubAdminService service = new StubAdminService();
    final RecordingAuditSink audit = new RecordingAuditSink();
    final List<AuthFailure> authFailures = new CopyOnWriteArrayList<>();
    final MetricRegistry metrics = new MetricRegistry();
    final Tokens tokens = new Tokens(ISSUER);
    final ApiConfig config;
    final ApiHandler handler;

    Harness() {
        this(new ApiConfig.RateLimit(1000, Duration.ofMinutes(1)), false);
    }

    Harness(ApiConfig.RateLimit rateLimit, boolean publicMetrics) {
        ApiConfig.Oidc oidc = new ApiConfig.Oidc(URI.create(ISSUER), AUDIENCE, Duration.ofSeconds(30));
        List<ApiKey> keys = List.of(
                new ApiKey("reader", ApiKey.hash(READ_KEY), EnumSet.of(Scope.READ)),
                new ApiKey("ops", ApiKey.hash(ALL_KEY), EnumSet.allOf(Scope.class)));
        config = new ApiConfig("127.0.0.1", 0, oidc, keys, rateLimit, null, publicMetrics);
        handler = new ApiHandler(service, new Authenticator(new JwtVerifier(oidc, clock, tokens.keys()), keys),
                new RateLimiter(rateLimit, clock), metrics, audit, authFailures::add, clock, publicMetrics, false);
    }

    ApiResponse get(String path, String... headers) {
        return call("GET", path, null, headers);
    }

    ApiResponse post(String path, String body, String... headers) {
        return call("POST", path, body, headers);
    }

    ApiResponse call(String method, String target, String body, String... headers) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            h.computeIfAbsent(headers[i], k -> new java.util.ArrayList<>()).add(headers[i + 1]);
        }
        if (body != null) {
            h.putIfAbsent("Content-Type", List.of("application/json"));
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        return handler.handle(new ApiRequest(method, path, query, h, "192.0.2.7",
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), false));
    }

    static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }

    static String[] apiKey(String key) {
        return new String[] {"X-Api-Key", key};
    }
}
