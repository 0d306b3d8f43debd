package dev.rotor.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.rotor.api.ApiConfig;
import dev.rotor.api.ApiPrincipal;
import dev.rotor.api.Scope;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks OAuth2 bearer tokens (JWTs) from one OIDC issuer: signature by a key of the issuer's
 * JWKS with RS256 or ES256 only; {@code iss}, {@code aud}, {@code exp} (required), {@code nbf}
 * and {@code iat} with a small skew; the Rotor scopes from {@code scope} or {@code scp}.
 *
 * <p>The issuer's discovery document is read on first use (and again at most every
 * {@link #MIN_REFETCH} after a failure). The JWKS is cached; a token with an unknown {@code kid}
 * refetches it, at most once per {@link #MIN_REFETCH}. Those two timers run on the system
 * clock (the JOSE library's); the claim checks use the injected {@link Clock}.
 *
 * <p>Thread-safe. The discovery fetch happens outside any lock held by other requests' checks.
 */
public final class JwtVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
    static final Duration MIN_REFETCH = Duration.ofSeconds(10);
    static final Duration JWKS_TTL = Duration.ofMinutes(15);
    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a token was refused or could not be checked. */
    public sealed interface Outcome {
        record Valid(ApiPrincipal principal) implements Outcome {}

        /** The token is not acceptable: 401. {@code why} is for the server log, never the token. */
        record Invalid(String why) implements Outcome {}

        /** The issuer could not be reached: 503. */
        record Unavailable(String why) implements Outcome {}
    }

    private final ApiConfig.Oidc config;
    private final Clock clock;
    private final ReentrantLock discoveryLock = new ReentrantLock();
    private volatile @Nullable ConfigurableJWTProcessor<SecurityContext> processor;
    private volatile @Nullable String issuer;
    private volatile Instant lastDiscoveryFailure = Instant.MIN;
    private final HttpClient http;

    public JwtVerifier(ApiConfig.Oidc config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A verifier over a given key source (tests, or an issuer whose JWKS is known). */
    public JwtVerifier(ApiConfig.Oidc config, Clock clock, JWKSource<SecurityContext> keys) {
        this(config, clock);
        this.issuer = config.issuer().toString();
        this.processor = processor(keys, issuer);
    }

    public Outcome verify(String token) {
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return new Outcome.Invalid("token empty or too long");
        }
        ConfigurableJWTProcessor<SecurityContext> p = processor;
        if (p == null) {
            p = discover();
            if (p == null) {
                return new Outcome.Unavailable("issuer discovery failed");
            }
        }
        JWTClaimsSet claims;
        try {
            claims = p.process(token, null);
        } catch (RateLimitReachedException e) {
            return new Outcome.Invalid("unknown key id (JWKS refetched less than " + MIN_REFETCH.toSeconds() + "s ago)");
        } catch (KeySourceException e) {
            LOG.warn("JWKS of {} unavailable: {}", config.issuer(), e.getClass().getSimpleName());
            return new Outcome.Unavailable("JWKS unavailable");
        } catch (BadJWTException e) {
            return new Outcome.Invalid("claims: " + e.getMessage());
        } catch (Exception e) {
            // Parse errors, bad signatures, refused algorithms: the library's message names the
            // problem, never key or token material, but keep only its type to be safe.
            return new Outcome.Invalid(e.getClass().getSimpleName());
        }
        return new Outcome.Valid(principalOf(claims));
    }

    private @Nullable ConfigurableJWTProcessor<SecurityContext> discover() {
        Instant now = Instant.now();
        if (lastDiscoveryFailure.plus(MIN_REFETCH).isAfter(now)) {
            return null;
        }
        discoveryLock.lock(); // one discovery at a time; other callers wait for its result
        try {
            ConfigurableJWTProcessor<SecurityContext> p = processor;
            if (p != null) {
                return p;
            }
            if (lastDiscoveryFailure.plus(MIN_REFETCH).isAfter(Instant.now())) {
                return null;
            }
            URI doc = URI.create(stripSlash(config.issuer().toString()) + "/.well-known/openid-configuration");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(doc).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            JsonNode meta = JSON.readTree(r.body());
            String iss = meta.path("issuer").asText("");
            if (!stripSlash(iss).equals(stripSlash(config.issuer().toString()))) {
                throw new IOException("discovery names another issuer");
            }
            URL jwks = URI.create(meta.path("jwks_uri").asText("")).toURL();
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwks, new DefaultResourceRetriever(5000, 5000, 512 * 1024))
                    .cache(JWKS_TTL.toMillis(), Duration.ofSeconds(15).toMillis())
                    .rateLimited(MIN_REFETCH.toMillis())
                    .refreshAheadCache(false)
                    .retrying(false)
                    .build();
            p = processor(keys, iss);
            issuer = iss;
            processor = p;
            LOG.info("OIDC issuer {} discovered; JWKS at {}", iss, jwks);
            return p;
        } catch (IOException | IllegalArgumentException e) {
            lastDiscoveryFailure = Instant.now();
            LOG.warn("OIDC discovery for {} failed: {}", config.issuer(), e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            discoveryLock.unlock();
        }
    }

    private ConfigurableJWTProcessor<SecurityContext> processor(JWKSource<SecurityContext> keys, String expectedIssuer) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        p.setJWTClaimsSetVerifier((claims, ctx) -> checkClaims(claims, expectedIssuer));
        return p;
    }

    private void checkClaims(JWTClaimsSet claims, String expectedIssuer) throws BadJWTException {
        Instant now = clock.instant();
        Duration skew = config.clockSkew();
        if (claims.getIssuer() == null || !stripSlash(claims.getIssuer()).equals(stripSlash(expectedIssuer))) {
            throw new BadJWTException("wrong issuer");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(config.audience())) {
            throw new BadJWTException("wrong audience");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new BadJWTException("no exp");
        }
        if (now.isAfter(exp.toInstant().plus(skew))) {
            throw new BadJWTException("expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw new BadJWTException("not yet valid");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(skew).isBefore(iat.toInstant())) {
            throw new BadJWTException("issued in the future");
        }
        if (name(claims) == null) {
            throw new BadJWTException("no azp, client_id or sub");
        }
    }

    private static @Nullable String name(JWTClaimsSet claims) {
        for (String claim : List.of("azp", "client_id", "sub")) {
            Object v = claims.getClaim(claim);
            if (v instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return null;
    }

    private static ApiPrincipal principalOf(JWTClaimsSet claims) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        addScopes(claims.getClaim("scope"), scopes);
        addScopes(claims.getClaim("scp"), scopes);
        return new ApiPrincipal("oidc:" + Names.safe(Objects.requireNonNull(name(claims))), ApiPrincipal.Method.BEARER_TOKEN, scopes);
    }

    private static void addScopes(@Nullable Object claim, Set<Scope> into) {
        if (claim instanceof String s) {
            for (String part : s.split(" ")) {
                Scope.of(part).ifPresent(into::add);
            }
        } else if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s) {
                    Scope.of(s).ifPresent(into::add);
                }
            }
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
