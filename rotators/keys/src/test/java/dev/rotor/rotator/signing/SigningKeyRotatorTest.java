package dev.rotor.rotator.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SigningKeyRotatorTest {

    static final String PATH = "auth/signing";
    static final String JWKS = "public/jwks";
    static final Duration TTL = Duration.ofMinutes(10);
    static final Duration LIFETIME = Duration.ofHours(1);

    final TestClock clock = new TestClock(Instant.parse("2025-06-01T10:00:00Z"));
    final InMemorySecretStore store = new InMemorySecretStore("mem", clock);
    final RotationEngine engine = RotationEngine.builder(store).clock(clock).holder("test")
            .options(RotationOptions.defaults().withGracePeriod(LIFETIME)).build();

    SigningKeyRotator rotator(SigningAlgorithm alg) {
        return new SigningKeyRotator(SigningKeySettings.of(alg, TTL, LIFETIME, JWKS), store);
    }

    SigningKeySet current() {
        return SigningKeySet.parse(store.get(PATH).value());
    }

    JWKSet published() {
        return Jwks.read(store, JWKS).orElseThrow();
    }

    SignedJWT token(SigningKeySet set) {
        return set.sign(new JWTClaimsSet.Builder().subject("user-1").issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(LIFETIME))).build());
    }

    RotationResult rotate(SigningKeyRotator r) {
        return engine.rotate(PATH, r, RotationRequest.scheduled());
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void tokensSignedBeforeEachOfThreeRotationsVerifyUntilTheirKeyIsRetired(SigningAlgorithm alg) {
        SigningKeyRotator r = rotator(alg);
        assertThat(rotate(r)).isInstanceOf(RotationResult.Succeeded.class);
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofDays(1));
            SigningKeySet before = current();
            SignedJWT signedBefore = token(before);
            assertThat(signedBefore.getHeader().getAlgorithm()).isEqualTo(alg.jws());
            assertThat(signedBefore.getHeader().getKeyID()).isEqualTo(before.currentKid());

            assertThat(rotate(r)).as("rotation %d", i).isInstanceOf(RotationResult.Succeeded.class);

            SigningKeySet after = current();
            assertThat(after.currentKid()).as("the old next key signs now").isEqualTo(before.nextKid());
            assertThat(after.previousKids()).containsExactly(before.currentKid());
            assertThat(Jwks.verifies(signedBefore, published())).as("a token signed before rotation %d", i).isTrue();
            assertThat(Jwks.verifies(token(after), published())).as("a token signed after rotation %d", i).isTrue();

            clock.advance(LIFETIME);
            assertThat(engine.retireDue(PATH, r)).isInstanceOf(RotationResult.Retired.class);
            assertThat(Jwks.verifies(signedBefore, published())).as("a token of the retired key, after RETIRE %d", i).isFalse();
            assertThat(Jwks.verifies(token(current()), published())).isTrue();
        }
    }

    @Test
    void theNextKeyIsPublishedAtLeastOneCacheTtlBeforeItSigns() {
        SigningKeyRotator r = rotator(SigningAlgorithm.ES256);
        rotate(r);
        String next = current().nextKid();
        assertThat(published().getKeyByKeyId(next)).as("the next key is published with the first set").isNotNull();
        JWKSet before = published();

        clock.advance(TTL.minusSeconds(1));
        RotationResult tooSoon = rotate(r);

        assertThat(tooSoon).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.message()).contains("next key " + next, "may sign from 2025-06-01T10:10:00Z");
        });
        assertThat(published().toString(true)).isEqualTo(before.toString(true));

        clock.advance(Duration.ofSeconds(1));
        assertThat(rotate(r)).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(current().currentKid()).isEqualTo(next);
    }

    @Test
    void previousKeysStayPublishedForTheLongestTokenLifetime() {
        SigningKeyRotator r = rotator(SigningAlgorithm.ES256);
        rotate(r);
        clock.advance(Duration.ofDays(1));
        String old = current().currentKid();
        rotate(r);

        clock.advance(LIFETIME.minusMinutes(1));
        RotationResult early = engine.retireDue(PATH, r, LIFETIME.minusMinutes(1));

        assertThat(early).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.RETIRE);
            assertThat(f.message()).contains("previous keys [" + old + "]", "stay published until 2025-06-02T11:00:00Z");
        });
        assertThat(published().getKeyByKeyId(old)).isNotNull();

        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.retireDue(PATH, r)).isInstanceOf(RotationResult.Retired.class);
        assertThat(published().getKeyByKeyId(old)).isNull();
    }

    @Test
    void anEmergencyDropsEveryOldKeyAtOnceAndPromotesNoneOfThem() {
        SigningKeyRotator r = rotator(SigningAlgorithm.ES256);
        rotate(r);
        SigningKeySet leaked = current();
        SignedJWT forged = token(leaked);
        SignedJWT forgedWithNext = SigningKeySet.parse(new SigningKeySet(leaked.algorithm(), leaked.next(), null, List.of()).toValue())
                .sign(new JWTClaimsSet.Builder().subject("attacker").build());
        assertThat(Jwks.verifies(forged, published())).isTrue();
        assertThat(Jwks.verifies(forgedWithNext, published())).isTrue();

        RotationResult result = engine.rotate(PATH, r, RotationRequest.emergency("sec-team", "private key set leaked"));

        assertThat(result).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
        SigningKeySet fresh = current();
        assertThat(List.of(fresh.currentKid(), fresh.nextKid())).doesNotContainAnyElementsOf(leaked.kids());
        assertThat(fresh.previousKids()).as("the leaked keys, kept only to be unpublished").containsExactlyInAnyOrderElementsOf(leaked.kids());
        assertThat(published().getKeys()).extracting(k -> k.getKeyID()).containsExactly(fresh.currentKid(), fresh.nextKid());
        assertThat(Jwks.verifies(forged, published())).as("a token signed with the leaked current key").isFalse();
        assertThat(Jwks.verifies(forgedWithNext, published())).as("a token signed with the leaked next key").isFalse();
        assertThat(Jwks.verifies(token(fresh), published())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void thePublishedJwksHoldsNoPrivateKeyMaterial(SigningAlgorithm alg) {
        SigningKeyRotator r = rotator(alg);
        rotate(r);
        clock.advance(Duration.ofDays(1));
        rotate(r);

        String json = store.get(JWKS).value().asUtf8();

        assertThat(published().getKeys()).hasSize(3).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
        for (String privateField : List.of("\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"")) {
            assertThat(json).doesNotContain(privateField);
        }
        assertThat(current().current().isPrivate()).isTrue();
    }

    @Test
    void rotationsCheckTheirPublicationAndChangeNothingWhenItIsUnchanged() {
        SigningKeyRotator r = rotator(SigningAlgorithm.ES256);
        rotate(r);
        int versions = store.versions(JWKS).size();

        // RETIRE with nothing to unpublish publishes the same JWKS: no new version.
        clock.advance(LIFETIME);
        var set = store.get(PATH);
        r.retire(new dev.rotor.rotation.RotationContext("run", "mem", PATH, false, null, clock), set, set);

        assertThat(store.versions(JWKS)).hasSize(versions);
    }

    @Test
    void changingTheAlgorithmNeedsAnEmergency() {
        rotate(rotator(SigningAlgorithm.ES256));
        clock.advance(Duration.ofDays(1));

        assertThat(rotate(rotator(SigningAlgorithm.RS256))).isInstanceOfSatisfying(RotationResult.Failed.class,
                f -> assertThat(f.message()).contains("is ES256 but the rotator makes RS256"));

        assertThat(engine.rotate(PATH, rotator(SigningAlgorithm.RS256), RotationRequest.emergency("ops", "move to RSA")))
                .isInstanceOf(RotationResult.Succeeded.class);
        assertThat(current().algorithm()).isEqualTo(SigningAlgorithm.RS256);
        assertThat(published().getKeys()).allSatisfy(k -> assertThat(k.getKeyType().getValue()).isEqualTo("RSA"));
    }

    @Test
    void aCurrentThatIsNotAKeySetFailsPrepareWithoutQuotingIt() {
        store.put(PATH, SecretValue.ofUtf8("{\"format\":1,\"alg\":\"ES256\",\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNob3VsZC1ub3QtbGVhaw\"}]}"),
                PutOptions.current());

        RotationResult result = rotate(rotator(SigningAlgorithm.ES256));

        assertThat(result).isInstanceOfSatisfying(RotationResult.Failed.class, f -> {
            assertThat(f.step()).isEqualTo(Step.PREPARE);
            assertThat(f.message()).contains("holds a key without kid or private part").doesNotContain("c2VjcmV0");
        });
    }

    @Test
    void settingsReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> new SigningKeySettings(SigningAlgorithm.RS256, 1024, Duration.ZERO, Duration.ofSeconds(-1), "bad//path"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).extracting(p -> p.field())
                        .containsExactly("signingKeys.rsaKeySize", "signingKeys.jwksCacheTtl", "signingKeys.maxTokenLifetime",
                                "signingKeys.jwksPath"));
        assertThat(SigningAlgorithm.of("eddsa")).contains(SigningAlgorithm.EDDSA);
        assertThat(SigningAlgorithm.of("HS256")).isEmpty();
    }

    @Test
    void keySetsRoundTripAndShowOnlyKidsInToString() {
        SigningKeySet set = new SigningKeySet(SigningAlgorithm.ES256, SigningAlgorithm.ES256.generate(2048),
                SigningAlgorithm.ES256.generate(2048), List.of(SigningAlgorithm.ES256.generate(2048)));

        SigningKeySet back = SigningKeySet.parse(set.toValue());

        assertThat(back.kids()).containsExactlyElementsOf(set.kids());
        assertThat(back.currentKid()).isEqualTo(set.currentKid());
        assertThat(set.toString()).contains(set.currentKid()).doesNotContain(set.current().toECKey().getD().toString());
        assertThat(new ArrayList<>(set.kids())).allSatisfy(kid -> assertThat(kid).matches("[A-Za-z0-9_-]{43}"));
    }

    /** RFC 8037, appendix A.4: Ed25519 is deterministic, so the JDK-backed signer must give exactly this signature. */
    @Test
    void ed25519SignaturesMatchTheRfc8037Example() throws Exception {
        OctetKeyPair key = OctetKeyPair.parse("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                + "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
        JWSObject jws = new JWSObject(new JWSHeader(SigningAlgorithm.EDDSA.jws()), new Payload("Example of Ed25519 signing"));

        jws.sign(SigningAlgorithm.EDDSA.signer(key));

        assertThat(jws.serialize()).isEqualTo("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
                + ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
        assertThat(jws.verify(SigningAlgorithm.EDDSA.verifier(key.toPublicJWK()))).isTrue();
        JWSObject tampered = JWSObject.parse(jws.serialize().replace("RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc", "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmd"));
        assertThat(tampered.verify(SigningAlgorithm.EDDSA.verifier(key.toPublicJWK()))).isFalse();
        assertThat(Set.of(key.getKeyType().getValue())).containsExactly("OKP");
    }
}
