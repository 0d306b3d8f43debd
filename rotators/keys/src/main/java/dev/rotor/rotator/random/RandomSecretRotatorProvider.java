package dev.rotor.rotator.random;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotator.keys.SettingsRotatorProvider;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link RandomSecretRotator}s from configuration:
 *
 * <pre>{@code
 * rotators:
 *   api-key:
 *     type: random-secret
 *     length: 43                 # default 43
 *     alphabet: base64url        # alphanumeric | base64url | hex | the characters themselves
 *     field: value               # default value
 *     prefix: rk_live_           # default none
 *     includeHash: true          # default false
 *     verifierStore: main        # with verifierPath: publish accepted hashes there
 *     verifierPath: verifiers/api-key
 * }</pre>
 *
 * Stateless.
 */
public final class RandomSecretRotatorProvider extends SettingsRotatorProvider<RandomSecretRotatorProvider.Settings> {

    private static final Map<String, String> ALPHABETS = Map.of(
            "alphanumeric", RandomSecretSettings.ALPHANUMERIC,
            "base64url", RandomSecretSettings.BASE64URL,
            "hex", RandomSecretSettings.HEX);

    /** The settings as written; absent values take the defaults. */
    record Settings(@Nullable Integer length, @Nullable String alphabet, @Nullable String field, @Nullable String prefix,
            @Nullable Boolean includeHash, @Nullable String verifierStore, @Nullable String verifierPath) {}

    public RandomSecretRotatorProvider() {
        super(RandomSecretRotator.TYPE, Settings.class);
    }

    @Override
    protected @Nullable Rotator create(RotatorConfig config, RotatorContext context, Settings s, List<ConfigProblem> problems) {
        RandomSecretSettings d = RandomSecretSettings.defaults();
        String alphabet = s.alphabet() == null ? d.alphabet() : ALPHABETS.getOrDefault(s.alphabet().toLowerCase(Locale.ROOT), s.alphabet());
        SecretStore verifierStore = null;
        if (s.verifierPath() != null) {
            if (s.verifierStore() == null) {
                problems.add(new ConfigProblem(config.fieldPath("verifierStore"), "is required with verifierPath"));
            } else {
                verifierStore = store(config, context, "verifierStore", s.verifierStore(), problems);
            }
        } else if (s.verifierStore() != null) {
            problems.add(new ConfigProblem(config.fieldPath("verifierPath"), "is required with verifierStore"));
        }
        RandomSecretSettings settings;
        try {
            settings = new RandomSecretSettings(s.length() == null ? d.length() : s.length(), alphabet,
                    s.field() == null ? d.field() : s.field(), s.prefix() == null ? "" : s.prefix(),
                    s.includeHash() != null && s.includeHash(), s.verifierPath());
        } catch (InvalidConfigurationException e) {
            addSettingsProblems(config, e, problems);
            return null;
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new RandomSecretRotator(settings, verifierStore);
    }
}
