package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a plain reader sees: a bare {@link SecretClient} that calls {@code getSecret(name)}, the
 * Azure SDK's default read of the latest version, as every Azure-native consumer does. It must
 * see CURRENT, never PENDING, before, during and after a rotation.
 */
class AzurePlainReaderIT {

    private static FakeKeyVaultServer server;
    private static AzureSecretStore store;
    private static SecretClient plain;

    @BeforeAll
    static void start() {
        server = FakeKeyVaultServer.start();
        store = FakeVault.store("azure", server);
        plain = FakeVault.client(server, new StaticTokenCredential(server.token()));
    }

    @AfterAll
    static void stop() {
        store.close();
        server.close();
    }

    private static String path(String name) {
        return "plain/" + UUID.randomUUID().toString().substring(0, 8) + "/" + name;
    }

    @Test
    void aPlainReaderSeesCurrentWhilePendingExistsAndTheNewValueAfterPromote() {
        String p = path("db/app");
        String name = AzureNames.secretName(p);
        SecretValue live = SecretValue.ofFields(Map.of("username", "app", "password", "live-password"));
        SecretValue next = SecretValue.ofFields(Map.of("username", "app", "password", "next-password"));
        VersionInfo v1 = store.put(p, live, PutOptions.current());
        VersionInfo v2 = store.put(p, next, PutOptions.pending());

        KeyVaultSecret during = plain.getSecret(name);
        assertThat(during.getValue()).isEqualTo(live.asUtf8());
        assertThat(during.getProperties().getContentType()).isEqualTo("application/json");
        assertThat(versionsOf(name)).as("the PENDING value is no version of the secret a plain reader reads").hasSize(1);

        store.promote(p, v2.id(), v1.id());

        KeyVaultSecret after = plain.getSecret(name);
        assertThat(after.getValue()).isEqualTo(next.asUtf8());
        assertThat(store.get(p).value()).isEqualTo(next);
        assertThat(store.get(p, Selector.PREVIOUS).value()).isEqualTo(live);
    }

    @Test
    void movingPendingAroundNeverChangesWhatAPlainReaderSees() {
        String p = path("api-key");
        String name = AzureNames.secretName(p);
        VersionInfo v1 = store.put(p, SecretValue.ofUtf8("current-key"), PutOptions.current());
        VersionInfo a = store.put(p, SecretValue.ofUtf8("candidate-a"), PutOptions.pending());
        VersionInfo b = store.put(p, SecretValue.ofUtf8("candidate-b"), PutOptions.pending());
        assertThat(plain.getSecret(name).getValue()).isEqualTo("current-key");

        store.moveStage(p, Stage.PENDING, a.id(), b.id());
        assertThat(plain.getSecret(name).getValue()).isEqualTo("current-key");
        store.moveStage(p, Stage.PREVIOUS, a.id(), null);
        assertThat(plain.getSecret(name).getValue()).isEqualTo("current-key");
        store.moveStage(p, Stage.PENDING, null, a.id());
        assertThat(plain.getSecret(name).getValue()).isEqualTo("current-key");
        assertThat(store.get(p).version().id()).isEqualTo(v1.id());
    }

    @Test
    void aSecretWithOnlyAPendingVersionDoesNotExistForAPlainReader() {
        String p = path("not-yet");
        store.put(p, SecretValue.ofUtf8("candidate"), PutOptions.pending());

        assertThat(StreamSupport.stream(plain.listPropertiesOfSecrets().spliterator(), false)
                .map(SecretProperties::getName)).doesNotContain(AzureNames.secretName(p));
        assertThat(store.list(p)).containsExactly(p);
    }

    @Test
    void binaryValuesReachAPlainReaderAsBase64MarkedByContentType() {
        String p = path("binary");
        byte[] bytes = {(byte) 0x80, 0x00, (byte) 0xff, 0x7f};
        store.put(p, SecretValue.of(bytes), PutOptions.current());

        KeyVaultSecret read = plain.getSecret(AzureNames.secretName(p));

        assertThat(read.getValue()).isEqualTo("gAD/fw==");
        assertThat(read.getProperties().getContentType()).isEqualTo("application/octet-stream; encoding=base64");
        assertThat(store.get(p).value().bytes()).containsExactly(bytes);
    }

    @Test
    void aValueWrittenByAPlainWriterIsReadByRotorUnderItsAzureVersionId() {
        String p = path("from-the-portal");
        String name = AzureNames.secretName(p);
        KeyVaultSecret set = plain.setSecret(name, "typed-in-the-portal");

        Secret read = store.get(p);

        assertThat(read.value().asUtf8()).isEqualTo("typed-in-the-portal");
        assertThat(read.version().id()).isEqualTo(set.getProperties().getVersion());
        VersionInfo rotated = store.put(p, SecretValue.ofUtf8("rotated"), PutOptions.pending());
        store.promote(p, rotated.id(), set.getProperties().getVersion());
        assertThat(plain.getSecret(name).getValue()).isEqualTo("rotated");
        assertThat(store.versions(p)).extracting(VersionInfo::id).containsExactly(set.getProperties().getVersion(), rotated.id());
        assertThat(store.get(p, Selector.PREVIOUS).value().asUtf8()).isEqualTo("typed-in-the-portal");
    }

    private static List<SecretProperties> versionsOf(String name) {
        return StreamSupport.stream(plain.listPropertiesOfSecretVersions(name).spliterator(), false).toList();
    }
}
