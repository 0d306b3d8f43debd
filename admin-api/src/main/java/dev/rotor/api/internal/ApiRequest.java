package dev.rotor.api.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as the handler sees it, independent of the server library.
 *
 * @param method the HTTP method
 * @param path the raw (still percent-encoded) path
 * @param query the raw query, if any
 * @param headers header values by lower-case name
 * @param remoteAddress the client's address
 * @param body the body, at most {@link ApiHandler#MAX_BODY_BYTES} bytes
 * @param bodyTooLarge whether the client sent more than that (the rest was not read)
 */
public record ApiRequest(String method, String path, @Nullable String query, Map<String, List<String>> headers,
        String remoteAddress, byte[] body, boolean bodyTooLarge) {

    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> h = new TreeMap<>();
        headers.forEach((k, v) -> h.merge(k.toLowerCase(Locale.ROOT), List.copyOf(v), (a, b) -> {
            var all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }));
        headers = java.util.Collections.unmodifiableMap(h);
    }

    /** All values of a header (name in any case). */
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The header's single value; {@code null} if absent. */
    public @Nullable String header(String name) {
        List<String> v = headers(name);
        return v.isEmpty() ? null : v.getFirst();
    }

    /** Holds headers and sizes only: the body and headers may carry credentials. */
    @Override
    public String toString() {
        return "ApiRequest[" + method + " " + (path.length() > 100 ? path.substring(0, 100) + "..." : path)
                + ", headers=" + headers.keySet() + ", body=" + body.length + " bytes]";
    }
}
