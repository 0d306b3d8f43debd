package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.testkit.peer.PeerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * The states a crash between two AWS calls leaves, made directly with the SDK, and how the
 * store reads and repairs them; and the pruning of per-version records.
 */
class AwsCrashStatesIT {

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static AwsSecretStore store;
    private static SecretsManagerClient sdk;
    private final String prefix = "crash/" + UUID.randomUUID() + "/";

    @BeforeAll
    static void open() {
        store = Moto.open("aws", MOTO.peer().uri());
        sdk = Moto.plainClient(MOTO.peer().uri());
    }

    @AfterAll
    static void close() {
        if (sdk != null) {
            sdk.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private List<Tag> awsTags(String name) {
        return sdk.describeSecret(b -> b.secretId(name)).tags();
    }

    @Test
    void aCrashBetweenTheVersionRecordAndTheVersionIsFinishedByTheRetryWithTheFirstRecord() {
        String path = prefix + "half-put";
        store.put(path, SecretValue.ofUtf8("live"), PutOptions.current());
        String key = "run-" + UUID.randomUUID();
        String token = AwsSecretStore.tokenFor(path, key);
        VersionMeta first = new VersionMeta(Instant.parse("2030-01-01T00:00:00Z"), Map.of("run", "first"));
        sdk.tagResource(b -> b.secretId(path).tags(Tag.builder().key(VersionMeta.tagKey(token)).value(first.encode()).build()));

        VersionInfo retried = store.put(path, SecretValue.ofUtf8("candidate"), PutOptions.pending()
                .withIdempotencyKey(key).withTags(Map.of("run", "retry")));

        assertThat(retried.id()).isEqualTo(token);
        assertThat(retried.tags()).isEqualTo(Map.of("run", "first"));
        assertThat(store.get(path, Selector.PENDING).value().asUtf8()).isEqualTo("candidate");
        assertThat(store.get(path, Selector.PENDING).version().tags()).isEqualTo(Map.of("run", "first"));
    }

    @Test
    void aSecretHoldingOnlyThePlaceholderIsAbsentUntilTheNextPut() {
        String path = prefix + "placeholder-only";
        sdk.createSecret(b -> b.name(path).clientRequestToken(AwsSecretStore.PLACEHOLDER_VERSION)
                .secretString(AwsSecretStore.PLACEHOLDER_VALUE));

        assertThatThrownBy(() -> store.get(path)).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> store.versions(path)).isInstanceOf(SecretNotFoundException.class);
        assertThat(store.list(prefix)).doesNotContain(path);

        VersionInfo pending = store.put(path, SecretValue.ofUtf8("next"), PutOptions.pending());

        assertThat(store.list(prefix)).contains(path);
        assertThat(store.versions(path)).extracting(VersionInfo::id).containsExactly(pending.id());
        assertThat(sdk.getSecretValue(b -> b.secretId(path)).secretString()).isEqualTo("{}");
        store.promote(path, pending.id(), null);
        assertThat(store.get(path).value().asUtf8()).isEqualTo("next");
        assertThatThrownBy(() -> store.get(path, Selector.PREVIOUS)).as("the placeholder is never PREVIOUS")
                .isInstanceOf(SecretNotFoundException.class);
    }

    @Test
    void pendingLeftOnTheCurrentVersionReadsAsNoPendingAndTheNextRotationMovesIt() {
        String path = prefix + "pending-on-current";
        VersionInfo v1 = store.put(path, SecretValue.ofUtf8("one"), PutOptions.current());
        VersionInfo v2 = store.put(path, SecretValue.ofUtf8("two"), PutOptions.pending());
        // promote's first call only: AWSCURRENT moved, AWSPENDING not yet removed
        sdk.updateSecretVersionStage(b -> b.secretId(path).versionStage("AWSCURRENT").moveToVersionId(v2.id()).removeFromVersionId(v1.id()));

        assertThat(store.get(path).version().id()).isEqualTo(v2.id());
        assertThat(store.get(path).version().stages()).containsExactly(Stage.CURRENT);
        assertThatThrownBy(() -> store.get(path, Selector.PENDING)).isInstanceOf(SecretNotFoundException.class);
        assertThat(stages(path)).containsExactly(Map.entry(v1.id(), List.of(Stage.PREVIOUS)), Map.entry(v2.id(), List.of(Stage.CURRENT)));
        assertThatThrownBy(() -> store.moveStage(path, Stage.PENDING, v2.id(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CURRENT");

        // running promote again finishes the job
        store.promote(path, v2.id(), v2.id());
        assertThat(sdk.getSecretValue(b -> b.secretId(path).versionId(v2.id())).versionStages()).containsExactly("AWSCURRENT");

        VersionInfo v3 = store.put(path, SecretValue.ofUtf8("three"), PutOptions.pending());
        assertThat(store.get(path, Selector.PENDING).version().id()).isEqualTo(v3.id());
        assertThat(sdk.getSecretValue(b -> b.secretId(path)).secretString()).isEqualTo("two");
    }

    @Test
    void versionRecordsStayWithinTheTagBudgetAndStagedVersionsKeepTheirs() {
        String path = prefix + "many-versions";
        List<VersionInfo> written = new ArrayList<>();
        int count = AwsSecretStore.MAX_VERSION_TAGS + 6;
        for (int i = 0; i < count; i++) {
            written.add(store.put(path, SecretValue.ofUtf8("v" + i), PutOptions.current().withTags(Map.of("n", Integer.toString(i)))));
        }
        VersionInfo pending = store.put(path, SecretValue.ofUtf8("next"), PutOptions.pending().withTags(Map.of("n", "pending")));

        long records = awsTags(path).stream().filter(t -> t.key().startsWith(VersionMeta.TAG_PREFIX)).count();
        assertThat(records).isLessThanOrEqualTo(AwsSecretStore.MAX_VERSION_TAGS);
        List<VersionInfo> versions = store.versions(path);
        assertThat(versions).hasSize(count + 1);
        VersionInfo current = written.get(count - 1);
        VersionInfo previous = written.get(count - 2);
        assertThat(versions).filteredOn(v -> v.id().equals(current.id())).singleElement()
                .satisfies(v -> assertThat(v.tags()).isEqualTo(Map.of("n", Integer.toString(count - 1))));
        assertThat(versions).filteredOn(v -> v.id().equals(previous.id())).singleElement()
                .satisfies(v -> assertThat(v.tags()).isEqualTo(Map.of("n", Integer.toString(count - 2))));
        assertThat(versions).filteredOn(v -> v.id().equals(pending.id())).singleElement()
                .satisfies(v -> assertThat(v.tags()).isEqualTo(Map.of("n", "pending")));
        assertThat(versions.get(0).id()).isEqualTo(written.get(0).id());
        assertThat(versions.get(0).tags()).as("the oldest record was pruned").isEmpty();
    }

    private Map<String, List<Stage>> stages(String path) {
        Map<String, List<Stage>> out = new java.util.LinkedHashMap<>();
        for (VersionInfo v : store.versions(path)) {
            out.put(v.id(), List.copyOf(v.stages()));
        }
        return out;
    }
}
