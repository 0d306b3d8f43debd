package dev.rotor.rotator.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.TestClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomSecretRotatorTest {

    static final String PATH = "api/key";
    static final String VERIFIER = "verifiers/api-key";

    final TestClock clock = new TestClock(Instant.parse("2025-06-01T10:00:00Z"));
    final InMemorySecretStore store = new InMemorySecretStore("mem", clock);
    final RotationContext context = new RotationContext("run-1", "mem", PATH, false, null, clock);

    String valueOf(SecretValue v) {
        return v.field("value").asUtf8();
    }

    @Test
    void valuesHaveTheConfiguredLengthAlphabetAndPrefixAndDiffer() {
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults().withAlphabet(RandomSecretSettings.HEX)
                .withLength(32).withPrefix("rk_live_"));
        Set<String> seen = new HashSet<>();
        Set<Character> chars = new HashSet<>();

        for (int i = 0; i < 500; i++) {
            String v = valueOf(r.create(context, null));
            assertThat(v).startsWith("rk_live_").hasSize(8 + 32);
            String body = v.substring(8);
            assertThat(body).matches("[0-9a-f]{32}");
            body.chars().forEach(c -> chars.add((char) c));
            seen.add(v);
        }

        assertThat(seen).as("500 values, all different").hasSize(500);
        assertThat(chars).as("every character of the alphabet occurs").hasSize(16);
    }

    /** A chi-square test of character frequencies: a biased draw (say modulo bias) would fail it. */
    @Test
    void charactersAreDrawnUniformly() {
        String alphabet = "ABCDEFGHIJ"; // 10 characters: a naive byte % 10 draw would favour the first six
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults().withAlphabet(alphabet).withLength(400));
        long[] counts = new long[alphabet.length()];
        int values = 500;
        for (int i = 0; i < values; i++) {
            valueOf(r.create(context, null)).chars().forEach(c -> counts[alphabet.indexOf(c)]++);
        }
        double expected = values * 400.0 / alphabet.length();
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 9 degrees of freedom: P(chi2 > 40) is about 7e-6.
        assertThat(chi2).isLessThan(40.0);
    }

    @Test
    void theStoredHashIsTheSha256OfTheValue() {
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults().withHash(true));

        SecretValue v = r.create(context, null);

        assertThat(v.field("sha256").asUtf8()).isEqualTo(VerifierHashes.sha256(valueOf(v))).matches("[0-9a-f]{64}");
        assertThat(VerifierHashes.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void settingsReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> new RandomSecretSettings(20, "abca", "bad field", "has space", false, "a//b"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).extracting(p -> p.field())
                        .containsExactly("randomSecret.alphabet", "randomSecret.length", "randomSecret.field", "randomSecret.prefix",
                                "randomSecret.verifierPath"));
        assertThatThrownBy(() -> RandomSecretSettings.defaults().withAlphabet(RandomSecretSettings.HEX).withLength(31))
                .hasMessageContaining("31 characters from 16 give 124 bits of entropy; at least 128 are needed");
        assertThatThrownBy(() -> RandomSecretSettings.defaults().withAlphabet("ab\"c")).hasMessageContaining("quotes");
        assertThatThrownBy(() -> new RandomSecretRotator(RandomSecretSettings.defaults().withVerifierPath(VERIFIER)))
                .hasMessageContaining("no store to publish it in");
    }

    @Test
    void withoutAVerifierARotationTouchesNothingButTheSecret() {
        RotationEngine engine = RotationEngine.builder(store).clock(clock).holder("test").build();
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults());

        assertThat(engine.rotate(PATH, r, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
        assertThat(engine.rotate(PATH, r, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);

        assertThat(store.list("")).containsExactly(".rotor/lease/" + PATH, PATH);
        assertThat(valueOf(store.get(PATH).value())).hasSize(43);
    }

    @Test
    void theVerifierAcceptsCurrentAndPendingDuringARunAndOnlyCurrentAfterRetire() {
        List<List<String>> duringVerify = new ArrayList<>();
        RotationEngine engine = RotationEngine.builder(store).clock(clock).holder("test").listener(e -> {
            if (e instanceof RotationEvent.StepCompleted s && s.step() == Step.VERIFY) {
                duringVerify.add(VerifierHashes.read(store, VERIFIER).orElseThrow());
            }
        }).build();
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults().withVerifierPath(VERIFIER), store);
        engine.rotate(PATH, r, RotationRequest.scheduled());
        String first = valueOf(store.get(PATH).value());

        engine.rotate(PATH, r, RotationRequest.scheduled());
        String second = valueOf(store.get(PATH).value());

        assertThat(duringVerify.get(1)).containsExactly(VerifierHashes.sha256(first), VerifierHashes.sha256(second));
        assertThat(VerifierHashes.accepts(store, VERIFIER, first)).as("PREVIOUS before RETIRE").isTrue();
        clock.advance(java.time.Duration.ofDays(2));
        assertThat(engine.retireDue(PATH, r)).isInstanceOf(RotationResult.Retired.class);
        assertThat(VerifierHashes.read(store, VERIFIER).orElseThrow()).containsExactly(VerifierHashes.sha256(second));
        assertThat(VerifierHashes.accepts(store, VERIFIER, first)).isFalse();
        assertThat(VerifierHashes.accepts(store, VERIFIER, second)).isTrue();
        assertThat(VerifierHashes.accepts(store, VERIFIER, "")).isFalse();
    }

    @Test
    void verifyRejectsAValueOfTheWrongFormAndPreflightACurrentWithoutTheField() {
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults().withHash(true));
        VersionInfo v = store.put(PATH, SecretValue.ofFields(Map.of("value", "too-short-secret-value", "sha256", "00")), PutOptions.pending());
        Secret wrong = store.get(PATH, Selector.version(v.id()));

        assertThatThrownBy(() -> r.verify(context, wrong))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                .hasMessageContaining("does not have the configured form")
                .hasMessageNotContaining("too-short-secret-value");

        VersionInfo c = store.put(PATH, SecretValue.ofFields(Map.of("apiKey", "x-secret-in-another-field")), PutOptions.current());
        Secret noField = store.get(PATH, Selector.version(c.id()));
        assertThatThrownBy(() -> r.preflight(context, noField))
                .hasMessageContaining("has no text field 'value'")
                .hasMessageNotContaining("x-secret-in-another-field");
    }

    @Test
    void toStringShowsSettingsNotValues() {
        RandomSecretRotator r = new RandomSecretRotator(RandomSecretSettings.defaults().withVerifierPath(VERIFIER), store);

        assertThat(r).hasToString("RandomSecretRotator[length=43, alphabet=64 chars, field=value, verifier=secret://mem/verifiers/api-key]");
    }
}
