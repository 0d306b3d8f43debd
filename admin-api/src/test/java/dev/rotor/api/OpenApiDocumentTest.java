package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rotor.api.internal.ApiHandler;
import dev.rotor.api.internal.ApiResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document describes every route the handler answers, and only those. */
class OpenApiDocumentTest {

    /** Every route with a concrete request that reaches it (the rotate route with a sample secret). */
    private static final Map<String, String[]> ROUTES = Map.of(
            "/health", new String[] {"get", "/health"},
            "/ready", new String[] {"get", "/ready"},
            "/metrics", new String[] {"get", "/metrics"},
            "/openapi.yaml", new String[] {"get", "/openapi.yaml"},
            "/.well-known/jwks.json", new String[] {"get", "/.well-known/jwks.json"},
            "/v1/secrets", new String[] {"get", "/v1/secrets"},
            "/v1/runs", new String[] {"get", "/v1/runs"},
            "/v1/events", new String[] {"get", "/v1/events"},
            "/v1/secrets/{store}/{path}/rotate", new String[] {"post", "/v1/secrets/main/app/db/rotate"});

    private static JsonNode document() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(ApiHandler.openApiDocument());
    }

    @Test
    void everyRouteIsInTheDocumentAndAnswers() throws IOException {
        JsonNode paths = document().path("paths");
        Harness h = new Harness();
        ROUTES.forEach((template, request) -> {
            assertThat(paths.has(template)).as(template).isTrue();
            assertThat(paths.path(template).has(request[0])).as(template + " " + request[0]).isTrue();
            ApiResponse r = h.call(request[0].toUpperCase(Locale.ROOT), request[1], request[0].equals("post") ? "{}" : null,
                    "X-Api-Key", Harness.ALL_KEY);
            assertThat(r.status()).as(template).isEqualTo(200);
        });
    }

    @Test
    void theDocumentHasNoRouteTheHandlerLacks() throws IOException {
        document().path("paths").fieldNames().forEachRemaining(p -> assertThat(ROUTES).containsKey(p));
    }

    @Test
    void publicRoutesAreMarkedAsSuch() throws IOException {
        JsonNode paths = document().path("paths");
        Harness h = new Harness();
        ROUTES.forEach((template, request) -> {
            boolean open = paths.path(template).path(request[0]).path("security").isArray()
                    && paths.path(template).path(request[0]).path("security").isEmpty();
            ApiResponse anonymous = h.call(request[0].toUpperCase(Locale.ROOT), request[1], request[0].equals("post") ? "{}" : null);
            assertThat(anonymous.status() != 401).as(template + " is public").isEqualTo(open);
        });
    }
}
