package dev.rotor.rotator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotator.random.RandomSecretRotator;
import dev.rotor.rotator.random.RandomSecretRotatorProvider;
import dev.rotor.rotator.random.VerifierHashes;
import dev.rotor.rotator.signing.Jwks;
import dev.rotor.rotator.signing.SigningKeyRotator;
import dev.rotor.rotator.signing.SigningKeyRotatorProvider;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvidersTest {

    final InMemorySecretStore main = new InMemorySecretStore("main");
    final RotatorContext context = new RotatorContext(Clock.systemUTC(), name -> null,
            name -> name.equals("main") ? main : null);

    static Map<String, Object> settings(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aRandomSecretRotatorFromConfigurationRotatesAndPublishesHashes() {
        RandomSecretRotatorProvider p = new RandomSecretRotatorProvider();
        RotatorConfig config = new RotatorConfig("api-key", "random-secret", settings("length", 32, "alphabet", "hex",
                "prefix", "rk_", "includeHash", true, "verifierStore", "main", "verifierPath", "verifiers/api"));

        assertThat(p.type()).isEqualTo(RandomSecretRotator.TYPE);
        assertThat(p.validate(config, context)).isEmpty();
        Rotator r = p.open(config, context);
        assertThat(RotationEngine.builder(main).holder("t").build().rotate("api/key", r, RotationRequest.scheduled()))
                .isInstanceOf(RotationResult.Succeeded.class);

        String value = main.get("api/key").value().field("value").asUtf8();
        assertThat(value).matches("rk_[0-9a-f]{32}");
        assertThat(VerifierHashes.accepts(main, "verifiers/api", value)).isTrue();
    }

    @Test
    void randomSecretConfigurationProblemsAreAllReportedWithTheirFields() {
        RotatorConfig config = new RotatorConfig("api-key", "random-secret", settings("length", 8, "alphabet", "hex",
                "prefix", "bad prefix", "verifierPath", "a//b", "colour", "blue"));

        assertThat(new RandomSecretRotatorProvider().validate(config, context)).extracting(ConfigProblem::field)
                .containsExactly("rotators.api-key.colour");

        RotatorConfig config2 = new RotatorConfig("api-key", "random-secret", settings("length", 8, "alphabet", "hex",
                "prefix", "bad prefix", "verifierPath", "a//b", "verifierStore", "nowhere"));
        assertThat(new RandomSecretRotatorProvider().validate(config2, context)).extracting(ConfigProblem::field)
                .containsExactly("rotators.api-key.verifierStore", "rotators.api-key.length", "rotators.api-key.prefix",
                        "rotators.api-key.verifierPath");
        assertThatThrownBy(() -> new RandomSecretRotatorProvider().open(config2, context)).isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void aSigningKeyRotatorFromConfigurationPublishesItsJwks() {
        SigningKeyRotatorProvider p = new SigningKeyRotatorProvider();
        RotatorConfig config = new RotatorConfig("auth", "signing-keys", settings("algorithm", "EdDSA", "jwksCacheTtl", "1h",
                "maxTokenLifetime", "PT24H", "jwksStore", "main", "jwksPath", "public/jwks"));

        assertThat(p.type()).isEqualTo(SigningKeyRotator.TYPE);
        assertThat(p.validate(config, context)).isEmpty();
        Rotator r = p.open(config, context);
        assertThat(RotationEngine.builder(main).holder("t").build().rotate("auth/keys", r, RotationRequest.scheduled()))
                .isInstanceOf(RotationResult.Succeeded.class);

        assertThat(Jwks.read(main, "public/jwks").orElseThrow().getKeys()).hasSize(2)
                .allSatisfy(k -> assertThat(k.getAlgorithm().getName()).isEqualTo("EdDSA"));
    }

    @Test
    void signingKeyConfigurationProblemsAreAllReportedWithTheirFields() {
        RotatorConfig config = new RotatorConfig("auth", "signing-keys", settings("algorithm", "HS256", "jwksCacheTtl", "soon",
                "rsaKeySize", 1024, "jwksStore", "elsewhere", "jwksPath", "a//b"));

        assertThat(new SigningKeyRotatorProvider().validate(config, context)).extracting(ConfigProblem::field)
                .containsExactly("rotators.auth.algorithm", "rotators.auth.jwksCacheTtl", "rotators.auth.maxTokenLifetime",
                        "rotators.auth.jwksStore", "rotators.auth.jwksPath");
    }
}
