package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.peer.PeerProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration and CREATE, which need no Keycloak: the rotator points at a port where nothing listens. */
class KeycloakClientSecretRotatorTest {

    private static final URI NOBODY = URI.create("http://127.0.0.1:" + PeerProcess.freeLoopbackPort());

    @TempDir
    Path tmp;

    private static KeycloakClientSecretRotator.Builder valid() {
        return KeycloakClientSecretRotator.builder()
                .serverUrl(NOBODY)
                .realm("apps")
                .clients("billing-a", "billing-b")
                .strategy(KeycloakStrategy.ALTERNATING)
                .authClientId("rotor")
                .authClientSecret(() -> SecretValue.ofUtf8("x"));
    }

    private static RotationContext context() {
        return new RotationContext("run-1", "test", "apps/billing", false, "scheduled", Clock.systemUTC());
    }

    @Test
    void theBuilderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> KeycloakClientSecretRotator.builder()
                        .serverUrl(URI.create("ftp://example.com"))
                        .strategy(KeycloakStrategy.DUAL_SECRET)
                        .clients("a", "b")
                        .secretLength(8)
                        .requestTimeout(Duration.ZERO)
                        .tokenRefreshMargin(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactlyInAnyOrder("serverUrl", "realm", "clients", "auth.clientId", "auth.clientSecret",
                                "secretLength", "requestTimeout", "tokenRefreshMargin"));
    }

    @Test
    void clientCountMustFitTheStrategy() {
        assertThatThrownBy(() -> valid().clients("only-one").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("clients: the alternating strategy needs two clients");
        assertThatThrownBy(() -> valid().strategy(KeycloakStrategy.AUTO).clients("a", "b", "c").build())
                .hasMessageContaining("takes one client id, or two");
        assertThatThrownBy(() -> valid().clients("a", "a").build()).hasMessageContaining("names a client twice");
        assertThat(valid().strategy(KeycloakStrategy.AUTO).clients("a").build().clients()).containsExactly("a");
    }

    @Test
    void theServerUrlIsKeycloaksBaseUrl() {
        assertThatThrownBy(() -> valid().serverUrl(URI.create("https://sso.example.com/realms/apps")).build())
                .hasMessageContaining("serverUrl: is Keycloak's base URL");
        assertThatThrownBy(() -> valid().serverUrl(URI.create("https://sso.example.com?x=1")).build())
                .hasMessageContaining("serverUrl: must not have a query");
    }

    @Test
    void settingsNameTheirFieldsUnderThePrefix() {
        KeycloakRotatorSettings settings = new KeycloakRotatorSettings("not a uri", null, "sideways", List.of(), null, 300,
                null, null, null);

        List<ConfigProblem> problems = KeycloakClientSecretRotator.validate(settings, "rotators.billing", name -> null, tmp);

        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "rotators.billing.serverUrl", "rotators.billing.strategy", "rotators.billing.realm", "rotators.billing.clients",
                "rotators.billing.auth", "rotators.billing.secretLength");
    }

    @Test
    void theRotatorsOwnSecretComesFromAnEnvironmentVariableThatIsSet() {
        KeycloakRotatorSettings settings = settings(new KeycloakRotatorSettings.Auth(null, "rotor", "KC_SECRET", null));

        assertThat(KeycloakClientSecretRotator.validate(settings, "r", name -> null, tmp))
                .singleElement()
                .satisfies(p -> assertThat(p.toString()).isEqualTo("r.auth.clientSecretEnv: environment variable KC_SECRET is not set"));
        assertThat(KeycloakClientSecretRotator.validate(settings, "r", Map.of("KC_SECRET", "s")::get, tmp)).isEmpty();
        assertThat(KeycloakClientSecretRotator.validate(settings(new KeycloakRotatorSettings.Auth(null, "rotor", "1BAD", null)),
                "r", name -> "s", tmp)).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("r.auth.clientSecretEnv"));
    }

    @Test
    void orFromAReadableFileButNotFromBoth() throws IOException {
        Files.writeString(tmp.resolve("kc-secret"), "s\n");
        assertThat(KeycloakClientSecretRotator.validate(settings(new KeycloakRotatorSettings.Auth(null, "rotor", null, "kc-secret")),
                "r", name -> null, tmp)).isEmpty();
        assertThat(KeycloakClientSecretRotator.validate(settings(new KeycloakRotatorSettings.Auth(null, "rotor", null, "missing")),
                "r", name -> null, tmp)).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("r.auth.clientSecretFile"));
        assertThat(KeycloakClientSecretRotator.validate(settings(new KeycloakRotatorSettings.Auth(null, "rotor", "E", "kc-secret")),
                "r", name -> "s", tmp)).singleElement().satisfies(p -> assertThat(p.message()).contains("not several"));
        assertThat(KeycloakClientSecretRotator.validate(settings(new KeycloakRotatorSettings.Auth(null, "rotor", null, null)),
                "r", name -> null, tmp)).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("r.auth"));
    }

    private static KeycloakRotatorSettings settings(KeycloakRotatorSettings.Auth auth) {
        return new KeycloakRotatorSettings("https://sso.example.com", "apps", "alternating", List.of("a", "b"), auth, null, null, null, null);
    }

    @Test
    void strategiesParseByTheirConfigNames() {
        assertThat(KeycloakStrategy.parse("Dual-Secret")).contains(KeycloakStrategy.DUAL_SECRET);
        assertThat(KeycloakStrategy.parse(" alternating ")).contains(KeycloakStrategy.ALTERNATING);
        assertThat(KeycloakStrategy.parse("auto")).contains(KeycloakStrategy.AUTO);
        assertThat(KeycloakStrategy.parse("single")).isEmpty();
    }

    @Test
    void createNeedsNoKeycloakAndAlternatesTheClient() {
        KeycloakClientSecretRotator rotator = valid().build();
        Secret current = Fixture.version(Stage.CURRENT, SecretValue.ofFields(Map.of("clientId", "billing-a", "clientSecret", "old",
                "tokenUrl", "https://sso.example.com/realms/apps/protocol/openid-connect/token")));

        SecretValue next = rotator.create(context(), current);

        assertThat(Fixture.clientId(next)).isEqualTo("billing-b");
        assertThat(Fixture.clientSecret(next)).hasSize(KeycloakClientSecretRotator.DEFAULT_SECRET_LENGTH).matches("[A-Za-z0-9]+");
        assertThat(next.field("tokenUrl").asUtf8()).isEqualTo("https://sso.example.com/realms/apps/protocol/openid-connect/token");
        Secret pending = Fixture.version(Stage.CURRENT, next);
        assertThat(Fixture.clientId(rotator.create(context(), pending))).isEqualTo("billing-a");
    }

    @Test
    void createWithoutCurrentTakesTheFirstClient() {
        SecretValue first = valid().secretLength(64).build().create(context(), null);
        assertThat(Fixture.clientId(first)).isEqualTo("billing-a");
        assertThat(Fixture.clientSecret(first)).hasSize(64);
    }

    @Test
    void dualSecretKeepsTheClient() {
        KeycloakClientSecretRotator rotator = valid().strategy(KeycloakStrategy.DUAL_SECRET).clients("billing").build();
        SecretValue next = rotator.create(context(), Fixture.version(Stage.CURRENT, "billing", "old"));
        assertThat(Fixture.clientId(next)).isEqualTo("billing");
        assertThat(Fixture.clientSecret(next)).isNotEqualTo("old");
    }

    @Test
    void newSecretsDiffer() {
        KeycloakClientSecretRotator rotator = valid().build();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(Fixture.clientSecret(rotator.create(context(), null)));
        }
        assertThat(seen).hasSize(200);
    }

    @Test
    void aVersionWithoutTheFieldsIsRefusedNamingTheFieldNotTheValue() {
        KeycloakClientSecretRotator rotator = valid().build();
        Secret broken = Fixture.version(Stage.CURRENT, SecretValue.ofFields(Map.of("username", "u", "password", "hunter2-canary")));

        assertThatThrownBy(() -> rotator.create(context(), broken))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.CREATE))
                .hasMessageContaining("has no field 'clientId'")
                .hasMessageNotContaining("hunter2-canary");
        assertThatThrownBy(() -> rotator.create(context(), Fixture.version(Stage.CURRENT, SecretValue.ofUtf8("not json"))))
                .isInstanceOf(RotationException.class)
                .hasMessageContaining("is not usable");
    }

    @Test
    void preflightAgainstNoKeycloakSaysItIsUnreachable() {
        KeycloakClientSecretRotator rotator = valid().connectTimeout(Duration.ofSeconds(2)).build();

        assertThatThrownBy(() -> rotator.preflight(context(), null))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining("secret://test/apps/billing")
                .hasMessageContaining("Keycloak at " + NOBODY + " is unreachable");
    }

    @Test
    void toStringShowsWhereNotWhatWithAndTheTypeIsStable() {
        KeycloakClientSecretRotator rotator = valid().authClientSecret(() -> SecretValue.ofUtf8("super-secret-canary")).build();
        assertThat(rotator.toString()).contains("apps").contains("rotor").doesNotContain("super-secret-canary");
        assertThat(rotator.type()).isEqualTo("keycloak-client-secret");
        assertThat(new ClientCredentials("billing", SecretValue.ofUtf8("super-secret-canary")).toString())
                .doesNotContain("super-secret-canary");
    }
}
