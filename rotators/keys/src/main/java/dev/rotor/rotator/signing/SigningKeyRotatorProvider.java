package dev.rotor.rotator.signing;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.config.Durations;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotator.keys.SettingsRotatorProvider;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link SigningKeyRotator}s from configuration:
 *
 * <pre>{@code
 * rotators:
 *   auth-signing:
 *     type: signing-keys
 *     algorithm: ES256           # RS256 | ES256 | EdDSA
 *     rsaKeySize: 3072           # RS256 only; default 2048
 *     jwksCacheTtl: 1h           # the longest time verifiers cache the JWKS
 *     maxTokenLifetime: 24h      # the longest lifetime of a token these keys sign
 *     jwksStore: main            # where the public JWKS is published
 *     jwksPath: public/jwks
 * }</pre>
 *
 * Stateless.
 */
public final class SigningKeyRotatorProvider extends SettingsRotatorProvider<SigningKeyRotatorProvider.Settings> {

    /** The settings as written. */
    record Settings(@Nullable String algorithm, @Nullable Integer rsaKeySize, @Nullable String jwksCacheTtl,
            @Nullable String maxTokenLifetime, @Nullable String jwksStore, @Nullable String jwksPath) {}

    public SigningKeyRotatorProvider() {
        super(SigningKeyRotator.TYPE, Settings.class);
    }

    @Override
    protected @Nullable Rotator create(RotatorConfig config, RotatorContext context, Settings s, List<ConfigProblem> problems) {
        SigningAlgorithm alg = null;
        if (s.algorithm() == null) {
            problems.add(new ConfigProblem(config.fieldPath("algorithm"), "is required (RS256, ES256 or EdDSA)"));
        } else {
            alg = SigningAlgorithm.of(s.algorithm()).orElse(null);
            if (alg == null) {
                problems.add(new ConfigProblem(config.fieldPath("algorithm"), "must be RS256, ES256 or EdDSA, was '" + s.algorithm() + "'"));
            }
        }
        Duration ttl = duration(config, "jwksCacheTtl", s.jwksCacheTtl(), problems);
        Duration lifetime = duration(config, "maxTokenLifetime", s.maxTokenLifetime(), problems);
        SecretStore store = null;
        if (s.jwksStore() == null) {
            problems.add(new ConfigProblem(config.fieldPath("jwksStore"), "is required"));
        } else {
            store = store(config, context, "jwksStore", s.jwksStore(), problems);
        }
        if (s.jwksPath() == null) {
            problems.add(new ConfigProblem(config.fieldPath("jwksPath"), "is required"));
        }
        // Check the other fields too, with stand-ins for those already reported, so every problem shows at once.
        SigningKeySettings settings = null;
        try {
            settings = new SigningKeySettings(alg == null ? SigningAlgorithm.ES256 : alg,
                    s.rsaKeySize() == null ? SigningKeySettings.DEFAULT_RSA_KEY_SIZE : s.rsaKeySize(),
                    ttl == null ? Duration.ofMinutes(1) : ttl, lifetime == null ? Duration.ofMinutes(1) : lifetime,
                    s.jwksPath() == null ? "stand-in" : s.jwksPath());
        } catch (InvalidConfigurationException e) {
            addSettingsProblems(config, e, problems);
        }
        if (!problems.isEmpty() || settings == null || store == null) {
            return null;
        }
        return new SigningKeyRotator(settings, store);
    }

    private static @Nullable Duration duration(RotatorConfig config, String key, @Nullable String text, List<ConfigProblem> problems) {
        if (text == null) {
            problems.add(new ConfigProblem(config.fieldPath(key), "is required"));
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(config.fieldPath(key), e.getMessage()));
            return null;
        }
    }
}
