package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.api.internal.JwtVerifier;
import dev.rotor.testkit.TestClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery and JWKS caching against a small issuer served over HTTP on a loopback port: the
 * discovery document and a JWK set the test changes, with a count of JWKS fetches.
 */
class JwtVerifierDiscoveryTest {

    private final TestClock clock = TestClock.startingNow();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final AtomicReference<String> jwks = new AtomicReference<>();
    private final AtomicReference<String> advertisedIssuer = new AtomicReference<>();
    private HttpServer issuerServer;
    private URI issuer;
    private RSAKey first;
    private RSAKey second;

    @BeforeEach
    void startIssuer() throws IOException, JOSEException {
        first = new RSAKeyGenerator(2048).keyID("k1").generate();
        second = new RSAKeyGenerator(2048).keyID("k2").generate();
        jwks.set(new JWKSet(first.toPublicJWK()).toString());
        issuerServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = URI.create("http://127.0.0.1:" + issuerServer.getAddress().getPort() + "/realms/test");
        advertisedIssuer.set(issuer.toString());
        issuerServer.createContext("/realms/test/.well-known/openid-configuration", ex -> respond(ex,
                "{\"issuer\":\"" + advertisedIssuer.get() + "\",\"jwks_uri\":\"" + issuer + "/certs\"}"));
        issuerServer.createContext("/realms/test/certs", ex -> {
            jwksFetches.incrementAndGet();
            respond(ex, jwks.get());
        });
        issuerServer.start();
    }

    @AfterEach
    void stopIssuer() {
        issuerServer.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private JwtVerifier verifier() {
        return new JwtVerifier(new ApiConfig.Oidc(issuer, "rotor", Duration.ofSeconds(30)), clock);
    }

    private String token(RSAKey key) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer.toString()).audience("rotor").claim("azp", "ci")
                .claim("scope", "rotor.read").expirationTime(Date.from(clock.instant().plusSeconds(300))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void discoversTheIssuerAndCachesItsKeys() throws JOSEException {
        JwtVerifier v = verifier();
        assertThat(v.verify(token(first))).isInstanceOf(JwtVerifier.Outcome.Valid.class);
        assertThat(v.verify(token(first))).isInstanceOf(JwtVerifier.Outcome.Valid.class);
        assertThat(jwksFetches).hasValue(1);
        JwtVerifier.Outcome.Valid valid = (JwtVerifier.Outcome.Valid) v.verify(token(first));
        assertThat(valid.principal().name()).isEqualTo("oidc:ci");
        assertThat(valid.principal().scopes()).containsExactly(Scope.READ);
    }

    @Test
    void aNewKidRefetchesTheKeysOnceAndUnknownKidsThenWait() throws JOSEException {
        JwtVerifier v = verifier();
        assertThat(v.verify(token(first))).isInstanceOf(JwtVerifier.Outcome.Valid.class);
        // the issuer rotates its signing key: the first token with the new kid makes the verifier refetch
        jwks.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
        assertThat(v.verify(token(second))).isInstanceOf(JwtVerifier.Outcome.Valid.class);
        int afterRotation = jwksFetches.get();
        assertThat(afterRotation).isEqualTo(2);
        // a flood of unknown kids within 10 s costs the issuer no further fetch
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k3").generate();
        for (int i = 0; i < 5; i++) {
            assertThat(v.verify(token(stranger))).isInstanceOf(JwtVerifier.Outcome.Invalid.class);
        }
        assertThat(jwksFetches).hasValue(afterRotation);
    }

    @Test
    void discoveryNamingAnotherIssuerIsRefused() throws JOSEException {
        advertisedIssuer.set("http://127.0.0.1:1/realms/elsewhere");
        assertThat(verifier().verify(token(first))).isInstanceOf(JwtVerifier.Outcome.Unavailable.class);
        assertThat(jwksFetches).hasValue(0);
    }

    @Test
    void anUnreachableIssuerIsUnavailableNotInvalid() throws JOSEException {
        issuerServer.stop(0);
        assertThat(verifier().verify(token(first))).isInstanceOf(JwtVerifier.Outcome.Unavailable.class);
    }
}
