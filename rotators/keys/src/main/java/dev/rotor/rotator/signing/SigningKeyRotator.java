package dev.rotor.rotator.signing;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates a JWT signing key set ({@link SigningKeySet}: RS256, ES256 or EdDSA) and publishes its
 * public keys as a JWKS at a store path that verifiers (or the daemon's JWKS endpoint) read.
 *
 * <p>Key states: <b>next</b> (published, not yet signing), <b>current</b> (signing),
 * <b>previous</b> (no longer signing, still published). A rotation makes the next key current,
 * makes a fresh next key and keeps the old current as previous:
 * <ul>
 *   <li>PREPARE refuses to rotate until the next key has been published for one JWKS cache TTL
 *       (it was published when the CURRENT version was written), so no verifier meets a kid it
 *       cannot know;
 *   <li>APPLY publishes current, next and previous; VERIFY signs a token with the new current key
 *       and checks it against the JWKS as published;
 *   <li>RETIRE unpublishes previous keys, and refuses to before the longest token lifetime has
 *       passed since they stopped signing; so every token signed before a rotation verifies
 *       until it expires;
 *   <li>an <b>emergency</b> assumes the whole private set leaked: it makes a fresh current and a
 *       fresh next (the old next is not promoted), signs at once, and its RETIRE (right after
 *       PROMOTE) unpublishes every old key at once.
 * </ul>
 * PREVIOUS of this secret therefore stays valid until RETIRE
 * ({@code PreviousBehaviour.VALID_UNTIL_RETIRE}).
 *
 * <p>Thread-safe; holds no state besides its settings and the store.
 */
public final class SigningKeyRotator implements Rotator {

    public static final String TYPE = "signing-keys";
    private static final Logger LOG = LoggerFactory.getLogger(SigningKeyRotator.class);

    private final SigningKeySettings settings;
    private final SecretStore jwksStore;

    /**
     * @param jwksStore where the public JWKS is published, at {@link SigningKeySettings#jwksPath()}
     */
    public SigningKeyRotator(SigningKeySettings settings, SecretStore jwksStore) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.jwksStore = Objects.requireNonNull(jwksStore, "jwksStore");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        published(Step.PREPARE);
        if (current == null) {
            return;
        }
        SigningKeySet set = parse(Step.PREPARE, current, context);
        if (context.emergency()) {
            return;
        }
        if (set.algorithm() != settings.algorithm()) {
            throw new RotationException(Step.PREPARE, "the key set of " + ref(context) + " is " + set.algorithm().joseName()
                    + " but the rotator makes " + settings.algorithm().joseName()
                    + " keys; change algorithms with an emergency rotation (every verifier must refetch the JWKS)");
        }
        if (set.nextKid() == null) {
            throw new RotationException(Step.PREPARE, "the key set of " + ref(context) + " has no next key, so a rotation would sign with "
                    + "an unpublished key; rotate with an emergency rotation to start over");
        }
        Instant publishedAt = current.version().created();
        Instant signsFrom = publishedAt.plus(settings.jwksCacheTtl());
        if (signsFrom.isAfter(context.clock().instant())) {
            throw new RotationException(Step.PREPARE, "next key " + set.nextKid() + " of " + ref(context) + " was published at "
                    + publishedAt + "; it may sign from " + signsFrom + ", one JWKS cache TTL (" + settings.jwksCacheTtl() + ") later");
        }
    }

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        int rsa = settings.rsaKeySize();
        SigningAlgorithm alg = settings.algorithm();
        if (current == null) {
            return new SigningKeySet(alg, alg.generate(rsa), alg.generate(rsa), List.of()).toValue();
        }
        SigningKeySet old = parse(Step.CREATE, current, context);
        if (context.emergency() || old.algorithm() != alg || old.next() == null) {
            // Everything in the old set may have leaked, the next key too: start over and retire it all.
            List<JWK> retiring = new ArrayList<>();
            retiring.add(old.current());
            if (old.next() != null) {
                retiring.add(old.next());
            }
            retiring.addAll(old.previous());
            return new SigningKeySet(alg, alg.generate(rsa), alg.generate(rsa), retiring).toValue();
        }
        return new SigningKeySet(alg, Objects.requireNonNull(old.next()), alg.generate(rsa), List.of(old.current())).toValue();
    }

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        publish(Step.APPLY, parse(Step.APPLY, pending, context).publicJwks(true), context);
    }

    @Override
    public void verify(RotationContext context, Secret pending) {
        SigningKeySet set = parse(Step.VERIFY, pending, context);
        JWKSet jwks = published(Step.VERIFY)
                .orElseThrow(() -> new RotationException(Step.VERIFY, "no JWKS is published at " + jwksRef()));
        Instant now = context.clock().instant();
        SignedJWT probe = set.sign(new JWTClaimsSet.Builder()
                .issuer("rotor")
                .subject("rotation-verify")
                .jwtID(context.runId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(1))))
                .build());
        if (!Jwks.verifies(probe, jwks)) {
            throw new RotationException(Step.VERIFY, "a token signed with the new current key " + set.currentKid()
                    + " does not verify against the JWKS published at " + jwksRef());
        }
        if (set.nextKid() != null && jwks.getKeyByKeyId(set.nextKid()) == null) {
            throw new RotationException(Step.VERIFY, "the next key " + set.nextKid() + " is not in the JWKS published at " + jwksRef());
        }
    }

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
        JWKSet restore = current == null ? new JWKSet() : parse(Step.APPLY, current, context).publicJwks(false);
        publish(Step.APPLY, restore, context);
    }

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        SigningKeySet set = parse(Step.RETIRE, current, context);
        if (!context.emergency()) {
            Instant stoppedSigning = current.version().created();
            Instant until = stoppedSigning.plus(settings.maxTokenLifetime());
            if (until.isAfter(context.clock().instant()) && !set.previousKids().isEmpty()) {
                throw new RotationException(Step.RETIRE, "previous keys " + set.previousKids() + " of " + ref(context)
                        + " signed tokens until " + stoppedSigning + "; they stay published until " + until
                        + " (the longest token lifetime, " + settings.maxTokenLifetime() + ")");
            }
        }
        publish(Step.RETIRE, set.publicJwks(false), context);
    }

    // ---- publication -------------------------------------------------------------------------

    private Optional<JWKSet> published(Step step) {
        try {
            return Jwks.read(jwksStore, settings.jwksPath());
        } catch (RotorException e) {
            throw new RotationException(step, "cannot read the JWKS published at " + jwksRef() + ": " + e.getMessage(), e);
        }
    }

    /** Writes the JWKS unless exactly that is published already (so a repeated step writes nothing). */
    private void publish(Step step, JWKSet jwks, RotationContext context) {
        String json = jwks.toString(true);
        Optional<JWKSet> now = published(step);
        if (now.isPresent() && now.get().toString(true).equals(json)) {
            return;
        }
        try {
            jwksStore.put(settings.jwksPath(), SecretValue.ofUtf8(json), PutOptions.current());
        } catch (RotorException e) {
            throw new RotationException(step, "cannot publish the JWKS at " + jwksRef() + ": " + e.getMessage(), e);
        }
        LOG.info("rotation {}: published {} keys at {} for {}", context.runId(), jwks.getKeys().size(), jwksRef(), ref(context));
    }

    private SigningKeySet parse(Step step, Secret secret, RotationContext context) {
        try {
            return SigningKeySet.parse(secret.value());
        } catch (IllegalArgumentException e) {
            throw new RotationException(step, "version '" + secret.version().id() + "' of " + ref(context) + ": " + e.getMessage());
        }
    }

    private String jwksRef() {
        return SecretRef.of(jwksStore.name(), settings.jwksPath()).toString();
    }

    private static String ref(RotationContext context) {
        return SecretRef.of(context.store(), context.path()).toString();
    }

    @Override
    public String toString() {
        return "SigningKeyRotator[" + settings.algorithm().joseName() + ", jwks=" + jwksRef() + "]";
    }
}
