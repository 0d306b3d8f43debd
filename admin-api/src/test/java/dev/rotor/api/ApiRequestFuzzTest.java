package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.api.internal.ApiRequest;
import dev.rotor.api.internal.ApiResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the API's request handling (routing and path parsing, credentials headers and tokens,
 * query strings, JSON bodies) through the same handler the server uses. The input is a request
 * in a small text form, so that the seed corpus reads as requests:
 *
 * <pre>
 * METHOD
 * /path?query
 * Header: value        (zero or more)
 *                      (an empty line)
 * body
 * </pre>
 *
 * A header value {@code $valid:<scopes>} is replaced by a valid token with those scopes, so the
 * fuzzer reaches the code behind authentication. Every answer must be a non-5xx with a JSON
 * error body when it is a refusal; any exception is a finding.
 */
class ApiRequestFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Harness H = new Harness(new ApiConfig.RateLimit(1_000_000, Duration.ofSeconds(1)), false);
    private static final Map<String, String> VALID = new java.util.concurrent.ConcurrentHashMap<>();

    @FuzzTest(maxDuration = "30s")
    void requests(byte[] input) throws IOException {
        String text = new String(input, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        String method = lines.length > 0 ? lines[0].strip() : "";
        String target = lines.length > 1 ? lines[1] : "/";
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int i = 2;
        for (; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String value = lines[i].substring(colon + 1).strip();
            if (value.startsWith("Bearer $valid:")) {
                String scopes = value.substring("Bearer $valid:".length());
                value = "Bearer " + VALID.computeIfAbsent(scopes,
                        s -> H.tokens.rs256(H.tokens.claims(H.clock.instant(), Harness.AUDIENCE, s)
                                .expirationTime(java.util.Date.from(H.clock.instant().plus(Duration.ofDays(365)))).build()));
            }
            headers.computeIfAbsent(lines[i].substring(0, colon).strip(), k -> new ArrayList<>()).add(value);
        }
        StringBuilder body = new StringBuilder();
        for (int j = i + 1; j < lines.length; j++) {
            body.append(lines[j]);
            if (j + 1 < lines.length) {
                body.append('\n');
            }
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        boolean tooLarge = bytes.length > dev.rotor.api.internal.ApiHandler.MAX_BODY_BYTES;
        if (tooLarge) {
            bytes = java.util.Arrays.copyOf(bytes, dev.rotor.api.internal.ApiHandler.MAX_BODY_BYTES);
        }
        ApiResponse r = H.handler.handle(new ApiRequest(method, path, query, headers, "198.51.100." + (input.length % 250), bytes, tooLarge));

        assertThat(r.status()).as("status").isBetween(200, 499);
        assertThat(r.header("X-Request-Id")).isNotNull();
        if (r.status() >= 400) {
            JsonNode err = JSON.readTree(r.body());
            assertThat(err.path("code").isTextual()).isTrue();
            assertThat(err.path("requestId").asText()).isEqualTo(r.header("X-Request-Id"));
        }
    }
}
