package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration checks: every problem at once, each naming its field, and no network. */
class VaultStoreProviderTest {

    @TempDir
    Path base;

    private final VaultStoreProvider provider = new VaultStoreProvider();

    private StoreContext context() {
        return new StoreContext(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC), Map.<String, String>of()::get, base);
    }

    private static StoreConfig config(Object... keyValues) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new StoreConfig("main", "vault", settings);
    }

    private List<String> problems(StoreConfig config) {
        return provider.validate(config, context()).stream().map(ConfigProblem::toString).toList();
    }

    private List<String> fields(StoreConfig config) {
        return provider.validate(config, context()).stream().map(ConfigProblem::field).toList();
    }

    @Test
    void typeAndCapabilities() {
        assertThat(provider.type()).isEqualTo("vault");
        assertThat(provider.capabilities().nativeStages()).isFalse();
        assertThat(provider.capabilities().binaryValues()).isTrue();
        assertThat(provider.capabilities().tags()).isTrue();
    }

    @Test
    void validConfigurationsHaveNoProblems() {
        assertThat(problems(config("address", "https://vault.example.com:8200"))).isEmpty();
        assertThat(problems(config("address", "http://127.0.0.1:8200", "mount", "kv/team", "pathPrefix", "apps/billing",
                "namespace", "team-a", "maxVersions", 5, "connectTimeout", "PT2S", "readTimeout", "PT10S",
                "auth", Map.of("method", "approle", "roleIdFile", "/run/role-id", "secretIdEnv", "SECRET_ID"),
                "tls", Map.of("caCertFile", "ca.pem")))).isEmpty();
        assertThat(problems(config("address", "https://v:8200", "auth", Map.of("method", "kubernetes", "role", "billing")))).isEmpty();
        assertThat(problems(config("address", "https://v:8200", "tls", Map.of("verify", false, "allowInsecure", true)))).isEmpty();
    }

    @Test
    void aMissingAddressIsNamed() {
        assertThat(problems(config())).containsExactly(
                "stores.main.address: is required: the Vault address, e.g. https://vault.example.com:8200");
    }

    @Test
    void aMalformedAddressIsNamed() {
        for (String bad : List.of("vault.example.com:8200", "ftp://vault:21", "https://", "https://v:8200/v1/secret", "http://v:8200?x=1",
                "https://u:p@v:8200", "not a url at all")) {
            assertThat(problems(config("address", bad))).as(bad).singleElement().asString()
                    .startsWith("stores.main.address: ").contains("is not a Vault address");
        }
    }

    @Test
    void anUnknownAuthMethodIsNamedWithTheKnownOnes() {
        assertThat(problems(config("address", "https://v:8200", "auth", Map.of("method", "ldap")))).containsExactly(
                "stores.main.auth.method: unknown auth method 'ldap' (known: approle, kubernetes, token)");
    }

    @Test
    void aMissingRoleIdIsNamed() {
        assertThat(problems(config("address", "https://v:8200", "auth", Map.of("method", "approle", "secretIdEnv", "S"))))
                .containsExactly("stores.main.auth.roleId: is required for auth method approle (or give roleIdEnv or roleIdFile)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("method", "approle");
        auth.put("roleId", "r");
        auth.put("roleIdEnv", "R");
        auth.put("secretIdEnv", "1-bad");
        auth.put("secretIdFile", "s");
        auth.put("role", "k8s-only");
        assertThat(fields(config("mount", "/secret/", "pathPrefix", "_rotor/x", "namespace", "a//b", "maxVersions", 0,
                "readTimeout", "PT0S", "auth", auth, "tls", Map.of("verify", false))))
                .containsExactlyInAnyOrder("stores.main.address", "stores.main.mount", "stores.main.pathPrefix",
                        "stores.main.namespace", "stores.main.maxVersions", "stores.main.readTimeout",
                        "stores.main.auth.role", "stores.main.auth.roleId", "stores.main.auth.secretIdFile",
                        "stores.main.auth.secretIdEnv", "stores.main.tls.verify");
    }

    @Test
    void turningOffCertificateChecksNeedsAllowInsecure() {
        assertThat(problems(config("address", "https://v:8200", "tls", Map.of("verify", false)))).singleElement().asString()
                .startsWith("stores.main.tls.verify: false is refused");
    }

    @Test
    void kubernetesNeedsARoleAndTokenSettingsBelongToTokenAuth() {
        assertThat(problems(config("address", "https://v:8200", "auth", Map.of("method", "kubernetes", "tokenEnv", "T"))))
                .containsExactlyInAnyOrder("stores.main.auth.tokenEnv: applies only to auth method token, not kubernetes",
                        "stores.main.auth.role: is required for auth method kubernetes: the Vault role to log in as");
    }

    @Test
    void unknownSettingsAndWrongTypesAreNamed() {
        assertThat(fields(config("address", "https://v:8200", "adress", "x"))).containsExactly("stores.main.adress");
        assertThat(fields(config("address", "https://v:8200", "maxVersions", "many"))).containsExactly("stores.main.maxVersions");
        assertThat(fields(config("address", "https://v:8200", "auth", Map.of("metod", "token")))).containsExactly("stores.main.auth.metod");
    }

    @Test
    void openReportsProblemsWithoutTouchingTheNetwork() {
        assertThatThrownBy(() -> provider.open(config("address", "https://192.0.2.1:8200", "auth", Map.of("method", "ldap")), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.auth.method");
    }

    @Test
    void anUnreadableCaFileIsNamedAtOpen() throws Exception {
        Files.writeString(base.resolve("ca.pem"), "not a certificate");

        assertThatThrownBy(() -> provider.open(config("address", "https://127.0.0.1:1", "tls", Map.of("caCertFile", "ca.pem")), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.tls.caCertFile");
    }

    @Test
    void anUnknownStoreTypeIsNamedByTheRegistry() {
        ProviderRegistry registry = ProviderRegistry.builder().register(provider).build();

        assertThatThrownBy(() -> registry.open(new StoreConfig("main", "vualt", Map.of()), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.type")
                .hasMessageContaining("unknown store type 'vualt' (known: vault)");
    }
}
