package dev.rotor.api;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request the admin API refused for want of valid credentials or scopes. Holds no credential:
 * only what kind of failure it was and where it came from.
 *
 * @param time when it was refused
 * @param remoteAddress the client's address
 * @param method the HTTP method
 * @param path the request path (shortened to 200 characters)
 * @param status 401 (not authenticated) or 403 (authenticated, scope missing)
 * @param code a short machine-readable reason, e.g. {@code invalid_token}, {@code insufficient_scope}
 * @param principal the caller's name when it authenticated (403), else {@code null}
 * @param requestId the request's id, as the error body shows it
 */
public record AuthFailure(Instant time, String remoteAddress, String method, String path, int status, String code,
        @Nullable String principal, String requestId) {

    public AuthFailure {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(requestId, "requestId");
        if (status != 401 && status != 403) {
            throw new IllegalArgumentException("status must be 401 or 403");
        }
    }
}
