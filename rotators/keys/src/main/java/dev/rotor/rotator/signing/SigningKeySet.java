package dev.rotor.rotator.signing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.rotor.SecretValue;
import java.io.IOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A private signing key set as the secret holds it: the keys and their states. The
 * <b>current</b> key signs; the <b>next</b> key is already published and signs after the next
 * rotation; <b>previous</b> keys signed before and stay published until RETIRE.
 *
 * <pre>{@code
 * {"format":1,"alg":"ES256","current":"<kid>","next":"<kid>","previous":["<kid>"],
 *  "keys":[<private JWK>, ...]}
 * }</pre>
 *
 * Applications sign with {@link #signer()} (or {@link #sign}); verifiers use the public JWKS the
 * rotator publishes, never this set. Immutable and thread-safe. {@link #toString()} shows kids only.
 */
public final class SigningKeySet {

    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SigningAlgorithm algorithm;
    private final String current;
    private final @Nullable String next;
    private final List<String> previous;
    private final Map<String, JWK> keys;

    SigningKeySet(SigningAlgorithm algorithm, JWK current, @Nullable JWK next, List<JWK> previous) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        Map<String, JWK> all = new LinkedHashMap<>();
        all.put(current.getKeyID(), current);
        if (next != null) {
            all.put(next.getKeyID(), next);
        }
        List<String> prev = new ArrayList<>();
        for (JWK p : previous) {
            if (!all.containsKey(p.getKeyID())) {
                all.put(p.getKeyID(), p);
                prev.add(p.getKeyID());
            }
        }
        this.current = current.getKeyID();
        this.next = next == null ? null : next.getKeyID();
        this.previous = List.copyOf(prev);
        this.keys = Map.copyOf(all);
    }

    public SigningAlgorithm algorithm() {
        return algorithm;
    }

    /** The key that signs now (private). */
    public JWK current() {
        return keys.get(current);
    }

    /** The key that signs after the next rotation (private), if any. */
    public @Nullable JWK next() {
        return next == null ? null : keys.get(next);
    }

    /** Keys that signed before and are still published (private). */
    public List<JWK> previous() {
        return previous.stream().map(keys::get).toList();
    }

    public String currentKid() {
        return current;
    }

    public @Nullable String nextKid() {
        return next;
    }

    public List<String> previousKids() {
        return previous;
    }

    /** A signer for the current key. */
    public JWSSigner signer() {
        try {
            return algorithm.signer(current());
        } catch (JOSEException e) {
            throw new IllegalStateException("the current key of this set cannot sign", e);
        }
    }

    /** Signs {@code claims} with the current key (header: alg, kid, typ JWT). */
    public SignedJWT sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm.jws()).keyID(current).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with key " + current + " failed", e);
        }
        return jwt;
    }

    /**
     * The public keys to publish: current, next and, with {@code withPrevious}, previous.
     * Never holds private material.
     */
    public JWKSet publicJwks(boolean withPrevious) {
        List<JWK> out = new ArrayList<>();
        out.add(current().toPublicJWK());
        if (next != null) {
            out.add(keys.get(next).toPublicJWK());
        }
        if (withPrevious) {
            for (String kid : previous) {
                out.add(keys.get(kid).toPublicJWK());
            }
        }
        return new JWKSet(out);
    }

    /** Every kid in the set. */
    public Set<String> kids() {
        Set<String> out = new LinkedHashSet<>();
        out.add(current);
        if (next != null) {
            out.add(next);
        }
        out.addAll(previous);
        return out;
    }

    /** The secret value of this set (private keys: handle as a secret). */
    public SecretValue toValue() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("alg", algorithm.joseName());
        n.put("current", current);
        n.put("next", next);
        ArrayNode prev = n.putArray("previous");
        previous.forEach(prev::add);
        ArrayNode ks = n.putArray("keys");
        for (String kid : kids()) {
            ks.add(JSON.valueToTree(keys.get(kid).toJSONObject()));
        }
        try {
            return SecretValue.wrap(JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a signing key set", e);
        }
    }

    /**
     * Reads a set from a secret value.
     *
     * @throws IllegalArgumentException saying what is wrong, never quoting key material
     */
    public static SigningKeySet parse(SecretValue value) {
        JsonNode n;
        try {
            n = JSON.readTree(value.bytes());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a signing key set: not JSON");
        }
        if (n == null || !n.isObject() || n.path("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("not a signing key set of format " + FORMAT);
        }
        SigningAlgorithm alg = SigningAlgorithm.of(n.path("alg").asText(""))
                .orElseThrow(() -> new IllegalArgumentException("signing key set has an unknown 'alg'"));
        Map<String, JWK> byKid = new LinkedHashMap<>();
        for (JsonNode k : n.path("keys")) {
            JWK jwk;
            try {
                jwk = JWK.parse(JSON.convertValue(k, new TypeReference<Map<String, Object>>() {}));
            } catch (ParseException e) {
                throw new IllegalArgumentException("signing key set holds a key that is not a JWK");
            }
            if (jwk.getKeyID() == null || !jwk.isPrivate()) {
                throw new IllegalArgumentException("signing key set holds a key without kid or private part");
            }
            if (jwk.getKeyUse() != null && jwk.getKeyUse() != KeyUse.SIGNATURE) {
                throw new IllegalArgumentException("signing key set holds key " + jwk.getKeyID() + " not meant for signatures");
            }
            byKid.put(jwk.getKeyID(), jwk);
        }
        JWK current = byKid.get(n.path("current").asText(""));
        if (current == null) {
            throw new IllegalArgumentException("signing key set has no current key");
        }
        JWK next = n.hasNonNull("next") ? byKid.get(n.get("next").asText()) : null;
        if (n.hasNonNull("next") && next == null) {
            throw new IllegalArgumentException("signing key set names a next key it does not hold");
        }
        List<JWK> previous = new ArrayList<>();
        for (JsonNode p : n.path("previous")) {
            JWK k = byKid.get(p.asText());
            if (k == null) {
                throw new IllegalArgumentException("signing key set names a previous key it does not hold");
            }
            previous.add(k);
        }
        return new SigningKeySet(alg, current, next, previous);
    }

    @Override
    public String toString() {
        return "SigningKeySet[" + algorithm.joseName() + ", current=" + current + ", next=" + next + ", previous=" + previous + "]";
    }
}
