package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.VersionInfo;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.rotor.testkit.peer.PeerExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * What an application that reads the secret with the AWS SDK's default {@code GetSecretValue}
 * (no version, no stage) sees while Rotor rotates it: always CURRENT, never PENDING.
 */
class AwsPlainReaderIT {

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static AwsSecretStore store;
    private static SecretsManagerClient plain;
    private final String prefix = "plain-reader/" + UUID.randomUUID() + "/";

    @BeforeAll
    static void open() {
        store = Moto.open("aws", MOTO.peer().uri());
        plain = Moto.plainClient(MOTO.peer().uri());
    }

    @AfterAll
    static void close() {
        if (plain != null) {
            plain.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** The default read: no VersionId, no VersionStage. */
    private static GetSecretValueResponse plainRead(String name) {
        return plain.getSecretValue(b -> b.secretId(name));
    }

    @Test
    void aPlainReaderSeesCurrentWhilePendingExistsAndTheNewValueAfterPromote() {
        String path = prefix + "db";
        VersionInfo v1 = store.put(path, SecretValue.ofUtf8("{\"username\":\"app\",\"password\":\"old-password\"}"), PutOptions.current());
        VersionInfo v2 = store.put(path, SecretValue.ofUtf8("{\"username\":\"app\",\"password\":\"new-password\"}"), PutOptions.pending());

        GetSecretValueResponse during = plainRead(path);
        assertThat(during.versionId()).isEqualTo(v1.id());
        assertThat(during.secretString()).isEqualTo("{\"username\":\"app\",\"password\":\"old-password\"}");
        assertThat(during.versionStages()).contains("AWSCURRENT").doesNotContain("AWSPENDING");

        store.promote(path, v2.id(), v1.id());

        GetSecretValueResponse after = plainRead(path);
        assertThat(after.versionId()).isEqualTo(v2.id());
        assertThat(after.secretString()).isEqualTo("{\"username\":\"app\",\"password\":\"new-password\"}");
        assertThat(after.versionStages()).containsExactly("AWSCURRENT");
        GetSecretValueResponse previous = plain.getSecretValue(b -> b.secretId(path).versionStage("AWSPREVIOUS"));
        assertThat(previous.versionId()).isEqualTo(v1.id());
    }

    @Test
    void aSecretWithOnlyAPendingVersionShowsPlainReadersAnEmptyObjectNeverThePendingValue() {
        String path = prefix + "pending-first";
        VersionInfo pending = store.put(path, SecretValue.ofFields(Map.of("token", "not-yet-live")), PutOptions.pending());

        GetSecretValueResponse during = plainRead(path);
        assertThat(during.secretString()).isEqualTo("{}");
        assertThat(during.versionId()).isNotEqualTo(pending.id());

        store.promote(path, pending.id(), null);

        GetSecretValueResponse after = plainRead(path);
        assertThat(after.versionId()).isEqualTo(pending.id());
        assertThat(after.secretString()).isEqualTo("{\"token\":\"not-yet-live\"}");
    }

    @Test
    void aPendingPutOverAnEarlierPendingStillLeavesPlainReadersOnCurrent() {
        String path = prefix + "two-candidates";
        VersionInfo live = store.put(path, SecretValue.ofUtf8("live"), PutOptions.current());
        store.put(path, SecretValue.ofUtf8("candidate one"), PutOptions.pending());
        VersionInfo second = store.put(path, SecretValue.ofUtf8("candidate two"), PutOptions.pending());

        assertThat(plainRead(path).secretString()).isEqualTo("live");
        assertThat(plainRead(path).versionId()).isEqualTo(live.id());

        store.promote(path, second.id(), live.id());

        assertThat(plainRead(path).secretString()).isEqualTo("candidate two");
    }

    @Test
    void binaryValuesReachPlainReadersAsSecretBinary() {
        String path = prefix + "binary";
        byte[] key = {(byte) 0x8f, 0x00, (byte) 0xff, 0x10};

        store.put(path, SecretValue.of(key), PutOptions.current());

        GetSecretValueResponse r = plainRead(path);
        assertThat(r.secretString()).isNull();
        assertThat(r.secretBinary().asByteArray()).containsExactly(key);
    }
}
