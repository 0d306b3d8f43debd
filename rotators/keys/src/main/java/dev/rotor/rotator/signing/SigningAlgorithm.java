package dev.rotor.rotator.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.Locale;
import java.util.Optional;

/** The JWS algorithms Rotor makes signing keys for. */
public enum SigningAlgorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys of 2048 bits or more). */
    RS256(JWSAlgorithm.RS256),
    /** ECDSA on P-256 with SHA-256. */
    ES256(JWSAlgorithm.ES256),
    /** EdDSA on Ed25519 (RFC 8037), signed with the JDK's own provider. */
    EDDSA(JWSAlgorithm.EdDSA);

    private final JWSAlgorithm jws;

    SigningAlgorithm(JWSAlgorithm jws) {
        this.jws = jws;
    }

    public JWSAlgorithm jws() {
        return jws;
    }

    /** The JOSE name: {@code RS256}, {@code ES256}, {@code EdDSA}. */
    public String joseName() {
        return jws.getName();
    }

    /** By JOSE name, case-insensitively. */
    public static Optional<SigningAlgorithm> of(String name) {
        for (SigningAlgorithm a : values()) {
            if (a.joseName().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** A new private key, its kid the RFC 7638 thumbprint of its public part. */
    JWK generate(int rsaKeySize) {
        try {
            JWK key = switch (this) {
                case RS256 -> new RSAKeyGenerator(rsaKeySize).generate();
                case ES256 -> new ECKeyGenerator(Curve.P_256).generate();
                case EDDSA -> Ed25519.generate();
            };
            String kid = key.computeThumbprint().toString();
            return switch (this) {
                case RS256 -> new RSAKey.Builder((RSAKey) key).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(jws).build();
                case ES256 -> new ECKey.Builder((ECKey) key).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(jws).build();
                case EDDSA -> new OctetKeyPair.Builder((OctetKeyPair) key).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(jws).build();
            };
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make a " + joseName() + " key", e);
        }
    }

    /** A signer for a private key of this algorithm. */
    JWSSigner signer(JWK privateKey) throws JOSEException {
        return switch (this) {
            case RS256 -> new RSASSASigner(privateKey.toRSAKey());
            case ES256 -> new ECDSASigner(privateKey.toECKey());
            case EDDSA -> new Ed25519.Signer(privateKey.toOctetKeyPair());
        };
    }

    /** A verifier for a (public) key of this algorithm. */
    JWSVerifier verifier(JWK publicKey) throws JOSEException {
        return switch (this) {
            case RS256 -> new RSASSAVerifier(publicKey.toRSAKey());
            case ES256 -> new ECDSAVerifier(publicKey.toECKey());
            case EDDSA -> new Ed25519.Verifier(publicKey.toOctetKeyPair());
        };
    }

    static Optional<SigningAlgorithm> ofJws(JWSAlgorithm alg) {
        for (SigningAlgorithm a : values()) {
            if (a.jws.equals(alg)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
