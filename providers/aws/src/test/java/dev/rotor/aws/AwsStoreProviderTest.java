package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsStoreProviderTest {

    private final Map<String, String> env = new HashMap<>();
    private final AwsStoreProvider provider = new AwsStoreProvider();

    private StoreContext context() {
        return new StoreContext(Clock.systemUTC(), env::get, Path.of("."));
    }

    private static StoreConfig config(Object... keyValues) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new StoreConfig("main", "aws", settings);
    }

    private List<String> fields(StoreConfig config) {
        return provider.validate(config, context()).stream().map(ConfigProblem::field).toList();
    }

    @Test
    void typeAndCapabilities() {
        assertThat(provider.type()).isEqualTo("aws");
        assertThat(provider.capabilities()).isEqualTo(AwsSecretStore.CAPABILITIES);
        assertThat(provider.capabilities().nativeStages()).isTrue();
        assertThat(provider.capabilities().tags()).isTrue();
        assertThat(provider.capabilities().binaryValues()).isTrue();
    }

    @Test
    void validConfigurationsHaveNoProblems() {
        assertThat(provider.validate(config("region", "eu-west-1"), context())).isEmpty();
        assertThat(provider.validate(config("region", "us-gov-west-1", "endpoint", "https://vpce-1.secretsmanager.us-gov-west-1.vpce.amazonaws.com",
                "namePrefix", "prod/app@1/", "connectTimeout", "PT1S", "readTimeout", "PT5S", "apiCallAttemptTimeout", "PT5S",
                "apiCallTimeout", "PT20S", "sdkMaxAttempts", 3, "kmsKeyId", "alias/rotor", "secretTags", Map.of("team", "payments"),
                "credentials", Map.of("type", "static", "accessKeyIdEnv", "KEY_ID", "secretAccessKeyEnv", "SECRET_KEY",
                        "sessionTokenEnv", "TOKEN")), context())).isEmpty();
        assertThat(provider.validate(config("region", "cn-north-1", "credentials", Map.of("type", "profile", "profile", "ops")), context())).isEmpty();
    }

    @Test
    void aMissingRegionIsNamed() {
        List<ConfigProblem> problems = provider.validate(config(), context());

        assertThat(problems).containsExactly(new ConfigProblem("stores.main.region",
                "is required: the AWS region of the secrets, e.g. us-east-1"));
    }

    @Test
    void aMalformedRegionOrEndpointIsNamed() {
        assertThat(provider.validate(config("region", "US East"), context()))
                .singleElement().satisfies(p -> {
                    assertThat(p.field()).isEqualTo("stores.main.region");
                    assertThat(p.message()).contains("is not an AWS region name");
                });
        assertThat(fields(config("region", "us-east-1", "endpoint", "ftp://example.com"))).containsExactly("stores.main.endpoint");
        assertThat(fields(config("region", "us-east-1", "endpoint", "http://"))).containsExactly("stores.main.endpoint");
        assertThat(fields(config("region", "us-east-1", "endpoint", "http://exa mple.com"))).containsExactly("stores.main.endpoint");
        assertThat(fields(config("region", "us-east-1", "endpoint", "https://example.com/?x=1"))).containsExactly("stores.main.endpoint");
    }

    @Test
    void inlineCredentialsAreRefusedWithoutQuotingThem() {
        List<ConfigProblem> problems = provider.validate(config("region", "us-east-1", "secretAccessKey", "wJalrXUtnFEMI/K7MDENG",
                "credentials", Map.of("type", "static", "accessKeyId", "AKIAEXAMPLE", "accessKeyIdEnv", "K", "secretAccessKeyEnv", "S")), context());

        assertThat(problems).extracting(ConfigProblem::field)
                .containsExactlyInAnyOrder("stores.main.secretAccessKey", "stores.main.credentials.accessKeyId");
        assertThat(problems).allSatisfy(p -> assertThat(p.message()).contains("never written into the configuration")
                .doesNotContain("wJalrXUtnFEMI").doesNotContain("AKIAEXAMPLE"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> creds = Map.of("type", "static", "accessKeyIdEnv", "1BAD", "profile", "x");
        List<String> fields = fields(config("endpoint", "nope://x", "namePrefix", "bad prefix!", "credentials", creds,
                "connectTimeout", "PT0S", "apiCallAttemptTimeout", "PT40S", "apiCallTimeout", "PT30S", "sdkMaxAttempts", 11,
                "kmsKeyId", " ", "secretTags", Map.of("aws:reserved", "x", "ok", "bad{value}")));

        assertThat(fields).containsExactlyInAnyOrder(
                "stores.main.region",
                "stores.main.endpoint",
                "stores.main.namePrefix",
                "stores.main.credentials.accessKeyIdEnv",
                "stores.main.credentials.secretAccessKeyEnv",
                "stores.main.credentials.profile",
                "stores.main.connectTimeout",
                "stores.main.apiCallAttemptTimeout",
                "stores.main.sdkMaxAttempts",
                "stores.main.kmsKeyId",
                "stores.main.secretTags.aws:reserved",
                "stores.main.secretTags.ok");
    }

    @Test
    void credentialTypesCheckTheirOwnSettings() {
        assertThat(fields(config("region", "us-east-1", "credentials", Map.of("type", "magic"))))
                .containsExactly("stores.main.credentials.type");
        assertThat(fields(config("region", "us-east-1", "credentials", Map.of("type", "profile"))))
                .containsExactly("stores.main.credentials.profile");
        assertThat(fields(config("region", "us-east-1", "credentials", Map.of("accessKeyIdEnv", "K"))))
                .as("env names under the default chain").containsExactly("stores.main.credentials.accessKeyIdEnv");
    }

    @Test
    void tooManySecretTagsAreRefused() {
        Map<String, String> tags = new HashMap<>();
        for (int i = 0; i <= AwsStoreProvider.MAX_SECRET_TAGS; i++) {
            tags.put("t" + i, "v");
        }

        assertThat(fields(config("region", "us-east-1", "secretTags", tags))).containsExactly("stores.main.secretTags");
    }

    @Test
    void anUnknownSettingIsNamedWithTheKnownOnes() {
        List<ConfigProblem> problems = provider.validate(config("region", "us-east-1", "regoin", "x"), context());

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("stores.main.regoin");
            assertThat(p.message()).contains("unknown setting").contains("region");
        });
    }

    @Test
    void openReadsStaticCredentialsFromTheEnvironmentAndNamesAMissingVariable() {
        StoreConfig c = config("region", "us-east-1", "endpoint", "http://127.0.0.1:9",
                "credentials", Map.of("type", "static", "accessKeyIdEnv", "MY_KEY_ID", "secretAccessKeyEnv", "MY_SECRET_KEY"));
        env.put("MY_KEY_ID", "AKIDEXAMPLE");

        assertThatThrownBy(() -> provider.open(c, context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.credentials.secretAccessKeyEnv")
                .hasMessageContaining("environment variable MY_SECRET_KEY is not set")
                .hasMessageNotContaining("AKIDEXAMPLE");

        env.put("MY_SECRET_KEY", "secret-example");
        try (SecretStore store = provider.open(c, context())) {
            assertThat(store).isInstanceOf(AwsSecretStore.class);
            assertThat(store.name()).isEqualTo("main");
            assertThat(store.toString()).doesNotContain("AKIDEXAMPLE").doesNotContain("secret-example");
        }
    }

    @Test
    void openRefusesAnInvalidConfigurationListingEveryProblem() {
        assertThatThrownBy(() -> provider.open(config("endpoint", "x"), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).problems()).extracting(ConfigProblem::field)
                        .containsExactlyInAnyOrder("stores.main.region", "stores.main.endpoint"));
    }

    @Test
    void theRegistryNamesAnUnknownStoreType() {
        ProviderRegistry registry = ProviderRegistry.builder().register(provider).register(new InMemoryStoreProvider()).build();

        assertThatThrownBy(() -> registry.open(new StoreConfig("main", "aws-secrets", Map.of()), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.type")
                .hasMessageContaining("unknown store type 'aws-secrets'")
                .hasMessageContaining("aws, memory");
    }
}
