package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The parts of the store that need no AWS: names, version ids, stages and value encoding. */
class AwsSecretStoreTest {

    private static AwsSecretStore store(String namePrefix) {
        SecretsManagerClient client = SecretsManagerClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        return new AwsSecretStore("aws", client, new AwsSecretStore.Options("us-east-1", "http://127.0.0.1:9", namePrefix, null, Map.of()),
                Clock.systemUTC(), null);
    }

    @Test
    void secretNamesArePrefixPlusPathAndAtMost512Characters() {
        try (AwsSecretStore s = store("prod/")) {
            assertThat(s.secretName("app/db")).isEqualTo("prod/app/db");
            String longest = "p".repeat(512 - 5);
            assertThat(s.secretName(longest)).hasSize(512);
            assertThatThrownBy(() -> s.secretName(longest + "x"))
                    .isInstanceOf(InvalidSecretRefException.class)
                    .hasMessageContaining("too long for AWS Secrets Manager")
                    .hasMessageContaining("512")
                    .hasMessageContaining("'prod/'");
            assertThatThrownBy(() -> s.secretName("with space")).isInstanceOf(InvalidSecretRefException.class)
                    .hasMessageContaining("not allowed");
        }
    }

    @Test
    void idempotencyTokensAreStableValidAwsVersionIdsPerSecretAndKey() {
        String t1 = AwsSecretStore.tokenFor("app/db", "run-42");

        assertThat(AwsSecretStore.tokenFor("app/db", "run-42")).isEqualTo(t1);
        assertThat(AwsSecretStore.tokenFor("app/db", "run-43")).isNotEqualTo(t1);
        assertThat(AwsSecretStore.tokenFor("app/other", "run-42")).isNotEqualTo(t1);
        assertThat(t1).matches("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(AwsSecretStore.isVersionId(t1)).isTrue();
        SecretRef.checkVersionId(t1);
    }

    @Test
    void onlyTokensOf32To64CharactersNameVersionsAndThePlaceholderNeverDoes() {
        assertThat(AwsSecretStore.isVersionId("999999999")).isFalse();
        assertThat(AwsSecretStore.isVersionId("x".repeat(32))).isTrue();
        assertThat(AwsSecretStore.isVersionId("x".repeat(64))).isTrue();
        assertThat(AwsSecretStore.isVersionId("x".repeat(65))).isFalse();
        assertThat(AwsSecretStore.isVersionId(AwsSecretStore.PLACEHOLDER_VERSION)).isFalse();
    }

    @Test
    void awsLabelsMapToStagesAndPendingOnCurrentIsNoPending() {
        String id = "v".repeat(36);

        assertThat(AwsSecretStore.stages(id, List.of("AWSCURRENT"))).containsExactly(Stage.CURRENT);
        assertThat(AwsSecretStore.stages(id, List.of("AWSPENDING"))).containsExactly(Stage.PENDING);
        assertThat(AwsSecretStore.stages(id, List.of("AWSPREVIOUS", "custom"))).containsExactly(Stage.PREVIOUS);
        assertThat(AwsSecretStore.stages(id, List.of("AWSCURRENT", "AWSPENDING"))).containsExactly(Stage.CURRENT);
        assertThat(AwsSecretStore.stages(id, List.of())).isEmpty();
        assertThat(AwsSecretStore.stages(AwsSecretStore.PLACEHOLDER_VERSION, List.of("AWSCURRENT"))).isEmpty();
        assertThat(Set.of(Stage.values())).allSatisfy(st -> assertThat(AwsSecretStore.label(st)).startsWith("AWS"));
    }

    @Test
    void textGoesToSecretStringOtherBytesToSecretBinaryAndEmptyToTheMarker() {
        AwsSecretStore.Encoded json = AwsSecretStore.encode(SecretValue.ofUtf8("{\"password\":\"pässwörd\"}"));
        assertThat(json.text()).isEqualTo("{\"password\":\"pässwörd\"}");
        assertThat(json.binary()).isNull();

        AwsSecretStore.Encoded binary = AwsSecretStore.encode(SecretValue.of(new byte[] {(byte) 0xff, 0x00, 0x41}));
        assertThat(binary.text()).isNull();
        assertThat(binary.binary()).containsExactly(0xff, 0x00, 0x41);

        AwsSecretStore.Encoded empty = AwsSecretStore.encode(SecretValue.of(new byte[0]));
        assertThat(empty.text()).isNull();
        assertThat(empty.binary()).containsExactly(0x00);

        AwsSecretStore.Encoded nul = AwsSecretStore.encode(SecretValue.of(new byte[] {0x00}));
        assertThat(nul.text()).as("a lone NUL byte is text, so it cannot be taken for the empty marker").isEqualTo("\0");
    }

    @Test
    void decodingReversesEncoding() {
        assertThat(AwsSecretStore.decode("grüße", null)).isEqualTo("grüße".getBytes(StandardCharsets.UTF_8));
        assertThat(AwsSecretStore.decode(null, SdkBytes.fromByteArray(new byte[] {0x00}))).isEmpty();
        assertThat(AwsSecretStore.decode(null, SdkBytes.fromByteArray(new byte[] {(byte) 0xfe, 0x01}))).containsExactly(0xfe, 0x01);
        assertThat(AwsSecretStore.decode("\0", null)).containsExactly(0x00);
    }

    @Test
    void toStringNamesStoreRegionAndEndpointOnly() {
        try (AwsSecretStore s = store("prod/")) {
            assertThat(s.toString()).isEqualTo("AwsSecretStore[aws, region us-east-1, http://127.0.0.1:9, names 'prod/...']");
            assertThat(s.capabilities()).isEqualTo(AwsSecretStore.CAPABILITIES);
            assertThat(s.capabilities().maxValueBytes()).isEqualTo(65_536);
        }
    }
}
