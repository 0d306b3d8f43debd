package dev.rotor.api.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One HTTP response: status, headers, body. */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {

    public static final String EVENT_STREAM = "text/event-stream";

    public ApiResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** A 200 that opens a Server-Sent Events stream: the server writes the events, not this body. */
    public boolean isEventStream() {
        return status == 200 && EVENT_STREAM.equals(headers.get("Content-Type"));
    }
}
