package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class KeycloakRotatorProviderTest {

    private final KeycloakRotatorProvider provider = new KeycloakRotatorProvider();

    private static RotatorConfig config(Map<String, Object> auth, Object... extra) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("serverUrl", "https://sso.example.com");
        s.put("realm", "apps");
        s.put("strategy", "alternating");
        s.put("clients", List.of("billing-a", "billing-b"));
        s.put("auth", auth);
        s.put("requestTimeout", "PT10S");
        for (int i = 0; i < extra.length; i += 2) {
            s.put((String) extra[i], extra[i + 1]);
        }
        return new RotatorConfig("billing", KeycloakClientSecretRotator.TYPE, s);
    }

    private static RotatorContext context(Map<String, String> env, Function<String, @Nullable SecretStore> stores) {
        return new RotatorContext(Clock.systemUTC(), env::get, stores);
    }

    private static RotatorContext context(Map<String, String> env) {
        return context(env, name -> null);
    }

    @Test
    void validSettingsFromYamlShapedMaps() {
        RotatorConfig config = config(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"));
        RotatorContext context = context(Map.of("KC_SECRET", "x"));

        assertThat(provider.validate(config, context)).isEmpty();
        KeycloakClientSecretRotator r = provider.open(config, context);
        assertThat(r.type()).isEqualTo(provider.type()).isEqualTo("keycloak-client-secret");
        assertThat(r.strategy()).isEqualTo(KeycloakStrategy.ALTERNATING);
        assertThat(r.clients()).containsExactly("billing-a", "billing-b");
        r.close();
    }

    @Test
    void anUnknownSettingIsNamedWithTheKnownOnes() {
        RotatorConfig config = config(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"), "realmName", "apps");

        assertThat(provider.validate(config, context(Map.of("KC_SECRET", "x")))).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("rotators.billing.realmName");
            assertThat(p.message()).contains("unknown setting").contains("serverUrl");
        });
    }

    @Test
    void aValueOfTheWrongFormIsNamed() {
        RotatorConfig config = config(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"), "requestTimeout", "ten seconds");

        assertThat(provider.validate(config, context(Map.of("KC_SECRET", "x"))))
                .extracting(ConfigProblem::field).containsExactly("rotators.billing.requestTimeout");
    }

    @Test
    void everyProblemOfTheSettingsAtOnce() {
        RotatorConfig config = config(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"), "strategy", "dual-secret",
                "secretLength", 8);

        assertThat(provider.validate(config, context(Map.of())))
                .extracting(ConfigProblem::field)
                .containsExactlyInAnyOrder("rotators.billing.clients", "rotators.billing.secretLength", "rotators.billing.auth.clientSecretEnv");
        assertThatThrownBy(() -> provider.open(config, context(Map.of()))).isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void theRotatorsSecretMayComeFromAStore() {
        RotatorConfig config = config(Map.of("clientId", "rotor", "secret", "secret://vault/rotor/keycloak#clientSecret"));
        InMemorySecretStore vault = new InMemorySecretStore("vault");

        assertThat(provider.validate(config, context(Map.of()))).isEmpty();
        provider.open(config, context(Map.of(), Map.of("vault", vault)::get)).close();
        assertThatThrownBy(() -> provider.open(config, context(Map.of())))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p.toString()).isEqualTo("rotators.billing.auth.secret: names store 'vault', which is not configured")));
        assertThat(provider.validate(config(Map.of("clientId", "rotor", "secret", "vault/rotor")), context(Map.of())))
                .extracting(ConfigProblem::field).containsExactly("rotators.billing.auth.secret");
        assertThat(provider.validate(config(Map.of("clientId", "rotor", "secret", "secret://vault/rotor", "clientSecretEnv", "E")),
                context(Map.of("E", "x")))).singleElement().satisfies(p -> assertThat(p.message()).contains("not several"));
        vault.close();
    }

    @Test
    void durationsParse() {
        RotatorConfig config = config(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"),
                "tokenRefreshMargin", "PT1M", "connectTimeout", Duration.ofSeconds(3).toString());
        assertThat(provider.validate(config, context(Map.of("KC_SECRET", "x")))).isEmpty();
    }
}
