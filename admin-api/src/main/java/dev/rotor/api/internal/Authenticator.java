package dev.rotor.api.internal;

import dev.rotor.api.ApiConfig;
import dev.rotor.api.ApiKey;
import dev.rotor.api.ApiPrincipal;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Finds who a request comes from: a bearer token ({@code Authorization: Bearer <jwt>}) or an
 * API key ({@code X-Api-Key: <key>}). API keys are compared by SHA-256 in constant time against
 * every configured hash. Thread-safe.
 */
public final class Authenticator {

    static final int MAX_API_KEY_LENGTH = 512;

    /** The result of looking at a request's credentials. */
    public sealed interface Result {
        /** No credentials were sent. */
        record Anonymous() implements Result {}

        record Authenticated(ApiPrincipal principal) implements Result {}

        /** Credentials were sent and refused; {@code why} is for the log only. */
        record Refused(String code, String why) implements Result {}

        /** The token issuer could not be reached. */
        record Unavailable(String why) implements Result {}
    }

    private final @Nullable JwtVerifier jwt;
    private final List<ApiKey> keys;
    private final List<byte[]> digests;

    public Authenticator(@Nullable JwtVerifier jwt, List<ApiKey> keys) {
        this.jwt = jwt;
        this.keys = List.copyOf(keys);
        this.digests = this.keys.stream().map(k -> HexFormat.of().parseHex(k.sha256())).toList();
    }

    public Result authenticate(ApiRequest request) {
        List<String> auth = request.headers("authorization");
        List<String> apiKey = request.headers("x-api-key");
        if (auth.isEmpty() && apiKey.isEmpty()) {
            return new Result.Anonymous();
        }
        if (auth.size() + apiKey.size() > 1) {
            return new Result.Refused("invalid_request", "more than one credential");
        }
        if (!apiKey.isEmpty()) {
            return byApiKey(apiKey.getFirst());
        }
        String header = auth.getFirst();
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            return new Result.Refused("invalid_request", "unsupported authorization scheme");
        }
        String token = header.substring(space + 1).strip();
        if (jwt == null) {
            return new Result.Refused("invalid_token", "bearer tokens are not configured");
        }
        return switch (jwt.verify(token)) {
            case JwtVerifier.Outcome.Valid v -> new Result.Authenticated(v.principal());
            case JwtVerifier.Outcome.Invalid i -> new Result.Refused("invalid_token", i.why());
            case JwtVerifier.Outcome.Unavailable u -> new Result.Unavailable(u.why());
        };
    }

    private Result byApiKey(String presented) {
        if (presented.isEmpty() || presented.length() > MAX_API_KEY_LENGTH) {
            return new Result.Refused("invalid_token", "API key empty or too long");
        }
        byte[] digest = ApiKey.digestOf(presented);
        ApiKey match = null;
        // Every hash is compared, so the time taken does not tell which one was close.
        for (int i = 0; i < digests.size(); i++) {
            if (MessageDigest.isEqual(digest, digests.get(i))) {
                match = keys.get(i);
            }
        }
        if (match == null) {
            return new Result.Refused("invalid_token", "unknown API key");
        }
        return new Result.Authenticated(new ApiPrincipal("apikey:" + match.name(), ApiPrincipal.Method.API_KEY, match.scopes()));
    }
}
