package dev.rotor.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Makes tokens for the tests, good and forged: an RSA and an EC key the verifier trusts, and a
 * key it does not know. Nothing here is a real credential.
 */
final class Tokens {

    final String issuer;
    final RSAKey rsa;
    final ECKey ec;
    final RSAKey stranger;

    // RSA key generation is slow: one set of keys serves every test.
    private static final RSAKey RSA;
    private static final ECKey EC;
    private static final RSAKey STRANGER;

    static {
        try {
            RSA = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            EC = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
            STRANGER = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    Tokens(String issuer) {
        this.issuer = issuer;
        this.rsa = RSA;
        this.ec = EC;
        this.stranger = STRANGER;
    }

    /** The trusted public keys. */
    JWKSource<SecurityContext> keys() {
        return new ImmutableJWKSet<>(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));
    }

    JWTClaimsSet.Builder claims(Instant now, String audience, String scope) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject("service-account-ci")
                .claim("azp", "ci-client")
                .claim("scope", scope)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    String rs256(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), rsa);
    }

    String es256(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
            jwt.sign(new ECDSASigner(ec));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed by a key the issuer never published, under a kid the issuer does use. */
    String badSignature(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), stranger);
    }

    /** Signed by a trusted key, but naming a kid the JWKS does not hold. */
    String unknownKid(JWTClaimsSet claims) {
        return sign(claims, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("no-such-kid").build(), rsa);
    }

    /** {@code alg: none}. */
    static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    /** {@code alg: none} with a signature part, as some attacks send it. */
    static String unsignedWithSignature(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize() + Base64URL.encode("sig").toString();
    }

    /** HS256 keyed with the issuer's public key: the algorithm-confusion attack. */
    String hs256WithPublicKey(JWTClaimsSet claims) {
        try {
            byte[] secret = rsa.toRSAPublicKey().getEncoded();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWTClaimsSet claims, JWSHeader header, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
