package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.memory.InMemorySecretStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeycloakRotatorProviderTest {

    private final KeycloakRotatorProvider provider = new KeycloakRotatorProvider();

    @TempDir
    Path tmp;

    private static Map<String, Object> settings(Map<String, Object> auth) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("serverUrl", "https://sso.example.com");
        s.put("realm", "apps");
        s.put("strategy", "alternating");
        s.put("clients", List.of("billing-a", "billing-b"));
        s.put("auth", auth);
        s.put("requestTimeout", "PT10S");
        return s;
    }

    @Test
    void validSettingsFromYamlShapedMaps() {
        Map<String, Object> s = settings(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"));

        assertThat(provider.validate("policies.billing.settings", s, Map.of("KC_SECRET", "x")::get, tmp)).isEmpty();
        KeycloakClientSecretRotator r = provider.open("policies.billing.settings", s, Map.of("KC_SECRET", "x")::get, tmp,
                name -> null, Clock.systemUTC());
        assertThat(r.type()).isEqualTo(provider.type()).isEqualTo("keycloak-client-secret");
        assertThat(r.strategy()).isEqualTo(KeycloakStrategy.ALTERNATING);
        assertThat(r.clients()).containsExactly("billing-a", "billing-b");
    }

    @Test
    void anUnknownSettingIsNamedWithTheKnownOnes() {
        Map<String, Object> s = settings(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"));
        s.put("realmName", "apps");

        assertThat(provider.validate("p", s, name -> "x", tmp)).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("p.realmName");
            assertThat(p.message()).contains("unknown setting").contains("serverUrl");
        });
    }

    @Test
    void aValueOfTheWrongFormIsNamed() {
        Map<String, Object> s = settings(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"));
        s.put("requestTimeout", "ten seconds");

        assertThat(provider.validate("p", s, name -> "x", tmp)).extracting(ConfigProblem::field).containsExactly("p.requestTimeout");
    }

    @Test
    void theRotatorsSecretMayComeFromAStore() {
        Map<String, Object> s = settings(Map.of("clientId", "rotor", "secret", "secret://vault/rotor/keycloak#clientSecret"));
        InMemorySecretStore vault = new InMemorySecretStore("vault");

        assertThat(provider.validate("p", s, name -> null, tmp)).isEmpty();
        assertThat(provider.open("p", s, name -> null, tmp, Map.of("vault", vault)::get, Clock.systemUTC())).isNotNull();
        assertThatThrownBy(() -> provider.open("p", s, name -> null, tmp, name -> null, Clock.systemUTC()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p.toString()).isEqualTo("p.auth.secret: names store 'vault', which is not configured")));
        assertThat(provider.validate("p", settings(Map.of("clientId", "rotor", "secret", "vault/rotor")), name -> null, tmp))
                .extracting(ConfigProblem::field).containsExactly("p.auth.secret");
        assertThat(provider.validate("p", settings(Map.of("clientId", "rotor", "secret", "secret://vault/rotor", "clientSecretEnv", "E")),
                name -> "x", tmp)).singleElement().satisfies(p -> assertThat(p.message()).contains("not several"));
        vault.close();
    }

    @Test
    void durationsParse() {
        Map<String, Object> s = settings(Map.of("clientId", "rotor", "clientSecretEnv", "KC_SECRET"));
        s.put("tokenRefreshMargin", "PT1M");
        s.put("connectTimeout", Duration.ofSeconds(3).toString());
        assertThat(provider.validate("p", s, name -> "x", tmp)).isEmpty();
    }
}
