package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rotor.ConfigProblem;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ApiConfig bind(String yaml) {
        try {
            return ApiConfig.bind(YAML.readValue(yaml, Object.class), "api", problems);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void bindsAFullSection() {
        String hash = ApiKey.hash("k");
        ApiConfig c = bind("""
                listen: 0.0.0.0:9443
                auth:
                  issuer: https://sso.example.com/realms/ops
                  audience: rotor
                  clockSkew: 10s
                  apiKeys:
                    - { name: ci, sha256: %s, scopes: [rotor.read, rotor.rotate] }
                rateLimit: { requests: 30, per: 10s }
                tls: { keyStore: /etc/rotor/api.p12, passwordEnv: ROTOR_API_TLS_PASSWORD }
                publicMetrics: true
                """.formatted(hash));
        assertThat(problems).isEmpty();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9443);
        assertThat(c.oidc()).isEqualTo(new ApiConfig.Oidc(URI.create("https://sso.example.com/realms/ops"), "rotor", Duration.ofSeconds(10)));
        assertThat(c.apiKeys()).singleElement().satisfies(k -> {
            assertThat(k.name()).isEqualTo("ci");
            assertThat(k.sha256()).isEqualTo(hash);
            assertThat(k.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.ROTATE);
        });
        assertThat(c.rateLimit()).isEqualTo(new ApiConfig.RateLimit(30, Duration.ofSeconds(10)));
        assertThat(c.tls().keyStoreType()).isEqualTo("PKCS12");
        assertThat(c.publicMetrics()).isTrue();
    }

    @Test
    void aMissingSectionGivesDefaults() {
        assertThat(ApiConfig.bind(null, "api", problems)).isEqualTo(ApiConfig.defaults());
        assertThat(problems).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnceWithItsField() {
        ApiConfig c = bind("""
                listen: nowhere
                colour: blue
                auth:
                  issuer: ftp://x
                  clockSkew: 1h
                  apiKeys:
                    - { name: "bad name", sha256: my-actual-secret-key, scopes: [rotor.all] }
                    - { name: ok, sha256: %s }
                rateLimit: { requests: 0, per: forever }
                tls: { keyStoreType: PEM }
                publicMetrics: "yes"
                """.formatted(ApiKey.hash("x")));
        assertThat(c).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "api.listen", "api.colour", "api.auth.issuer", "api.auth.audience", "api.auth.clockSkew",
                "api.auth.apiKeys[0].name", "api.auth.apiKeys[0].sha256", "api.auth.apiKeys[0].scopes[0]",
                "api.auth.apiKeys[1].scopes", "api.rateLimit.requests", "api.rateLimit.per",
                "api.tls.keyStore", "api.tls.keyStoreType", "api.tls.passwordEnv", "api.publicMetrics");
        assertThat(problems).allSatisfy(p -> assertThat(p.message()).doesNotContain("my-actual-secret-key"));
    }

    @Test
    void duplicateKeysAreProblems() {
        String hash = ApiKey.hash("same");
        bind("""
                auth:
                  apiKeys:
                    - { name: a, sha256: %s, scopes: [rotor.read] }
                    - { name: a, sha256: %s, scopes: [rotor.read] }
                """.formatted(hash, hash));
        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder("api.auth.apiKeys[1].name", "api.auth.apiKeys[1].sha256");
    }

    @Test
    void notAMappingIsOneProblem() {
        assertThat(bind("[1, 2]")).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactly("api");
    }

    @Test
    void ipv6ListenAddress() {
        ApiConfig c = bind("listen: \"[::1]:8081\"");
        assertThat(problems).isEmpty();
        assertThat(c.host()).isEqualTo("::1");
        assertThat(c.port()).isEqualTo(8081);
    }

    @Test
    void apiKeyToStringHidesTheHash() {
        ApiKey k = new ApiKey("ci", ApiKey.hash("secret-ish"), java.util.Set.of(Scope.READ));
        assertThat(k.toString()).doesNotContain(k.sha256()).contains("ci");
    }
}
