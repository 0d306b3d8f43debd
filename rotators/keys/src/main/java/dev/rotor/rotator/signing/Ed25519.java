package dev.rotor.rotator.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * EdDSA (Ed25519) JWS signing and verification on the JDK's own provider. Nimbus's
 * {@code Ed25519Signer} needs Google Tink; the JDK has had Ed25519 since Java 15, so Rotor signs
 * with that and keeps Tink (and its dependencies) out.
 *
 * <p>Keys travel as Nimbus {@link OctetKeyPair}s (RFC 8037): {@code x} is the raw 32-byte public
 * key, {@code d} the raw 32-byte private key. The JDK wants them DER-wrapped: X.509
 * SubjectPublicKeyInfo and PKCS#8, whose fixed Ed25519 prefixes are below.
 */
final class Ed25519 {

    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    private Ed25519() {}

    static OctetKeyPair generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = kp.getPublic().getEncoded();
            byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            byte[] d = ((EdECPrivateKey) kp.getPrivate()).getBytes().orElseThrow(() -> new IllegalStateException("no raw Ed25519 key"));
            try {
                return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d)).build();
            } finally {
                Arrays.fill(d, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
        }
    }

    static PublicKey publicKey(OctetKeyPair jwk) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, jwk.getDecodedX())));
    }

    static PrivateKey privateKey(OctetKeyPair jwk) throws GeneralSecurityException {
        byte[] d = jwk.getDecodedD();
        byte[] der = concat(PKCS8_PREFIX, d);
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } finally {
            Arrays.fill(d, (byte) 0);
            Arrays.fill(der, (byte) 0);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void checkCurve(OctetKeyPair jwk) throws JOSEException {
        if (!Curve.Ed25519.equals(jwk.getCurve())) {
            throw new JOSEException("EdDSA keys must be on curve Ed25519, not " + jwk.getCurve());
        }
    }

    /** Signs with a private Ed25519 JWK. Thread-safe: a {@link Signature} per call. */
    static final class Signer implements JWSSigner {
        private final PrivateKey key;
        private final JCAContext jca = new JCAContext();

        Signer(OctetKeyPair jwk) throws JOSEException {
            checkCurve(jwk);
            if (!jwk.isPrivate()) {
                throw new JOSEException("an EdDSA signer needs a private key");
            }
            try {
                this.key = privateKey(jwk);
            } catch (GeneralSecurityException e) {
                throw new JOSEException("unusable Ed25519 private key", e);
            }
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                throw new JOSEException("this signer makes EdDSA signatures, not " + header.getAlgorithm());
            }
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(signingInput);
                return Base64URL.encode(s.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 signing failed", e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    /** Verifies with a public Ed25519 JWK. Thread-safe. */
    static final class Verifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca = new JCAContext();

        Verifier(OctetKeyPair jwk) throws JOSEException {
            checkCurve(jwk);
            try {
                this.key = publicKey(jwk);
            } catch (GeneralSecurityException e) {
                throw new JOSEException("unusable Ed25519 public key", e);
            }
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signedContent, Base64URL signature) throws JOSEException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                return false;
            }
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(signedContent);
                return s.verify(signature.decode());
            } catch (java.security.SignatureException e) {
                return false; // a malformed signature does not verify
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 verification failed", e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
