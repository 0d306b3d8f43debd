package dev.rotor.rotator.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.rotation.StoreReads;
import java.text.ParseException;
import java.util.Optional;

/** Reading a published JWKS from a store, and checking a token's signature against it. Stateless. */
public final class Jwks {

    private Jwks() {}

    /**
     * The JWKS published at {@code path} (its CURRENT version, read past any cache), or empty if
     * nothing is published.
     *
     * @throws RotorException if what is there is not a JWKS
     */
    public static Optional<JWKSet> read(SecretStore store, String path) {
        Secret s = StoreReads.current(store, path).orElse(null);
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JWKSet.parse(s.value().asUtf8()));
        } catch (ParseException | IllegalStateException e) {
            throw new RotorException("secret '" + path + "' in store '" + store.name() + "' is not a JWKS");
        }
    }

    /**
     * Whether {@code jwt}'s signature verifies with the key of its {@code kid} in {@code jwks}, the
     * key's algorithm matching the header's. Checks only the signature, not the claims.
     */
    public static boolean verifies(SignedJWT jwt, JWKSet jwks) {
        String kid = jwt.getHeader().getKeyID();
        JWK key = kid == null ? null : jwks.getKeyByKeyId(kid);
        if (key == null) {
            return false;
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(jwt.getHeader().getAlgorithm())) {
            return false;
        }
        Optional<SigningAlgorithm> alg = SigningAlgorithm.ofJws(jwt.getHeader().getAlgorithm());
        if (alg.isEmpty()) {
            return false;
        }
        try {
            return jwt.verify(alg.get().verifier(key.toPublicJWK()));
        } catch (JOSEException | IllegalStateException e) {
            return false;
        }
    }
}
