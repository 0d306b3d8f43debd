package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A writer that dies between the steps of a promotion, a put or a delete: what it leaves behind,
 * as seen by another store instance (another process) and by a plain reader, and how the next
 * operation finishes or undoes it. The crash is simulated by throwing at a step.
 */
class VaultCrashRecoveryIT {

    private static VaultFixture vault;
    private VaultSecretStore crashing;
    private VaultSecretStore other;
    private String p;

    private static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(VaultSecretStore.Step step) {
            super("simulated crash at " + step);
        }
    }

    @BeforeAll
    static void start() {
        vault = VaultFixture.create(Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        vault.close();
    }

    @BeforeEach
    void open() {
        crashing = vault.open("crash", Clock.systemUTC());
        other = vault.open("crash", Clock.systemUTC());
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        p = "crash/" + HexFormat.of().formatHex(b) + "/db";
    }

    @AfterEach
    void close() {
        try {
            other.delete(p);
        } catch (SecretNotFoundException e) {
            // deleted by the test
        }
        crashing.close();
        other.close();
    }

    private void crashAt(VaultSecretStore.Step at) {
        crashing.stepHook((step, path) -> {
            if (step == at) {
                throw new SimulatedCrash(step);
            }
        });
    }

    private Map<String, String> plainRead() throws Exception {
        Vault d = Vault.create(new VaultConfig().address(vault.address()).token(vault.token()).engineVersion(2).build(), 2);
        return d.logical().read(vault.mount() + "/" + other.livePath(p)).getData();
    }

    private Map<String, Set<Stage>> stages() {
        Map<String, Set<Stage>> out = new LinkedHashMap<>();
        for (VersionInfo v : other.versions(p)) {
            out.put(v.id(), v.stages());
        }
        return out;
    }

    @Test
    void promotionDeadAfterAnnouncingLeavesCurrentAsItWasAndCanBeRetried() throws Exception {
        VersionInfo v1 = other.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        VersionInfo v2 = other.put(p, SecretValue.ofUtf8("new"), PutOptions.pending());
        crashAt(VaultSecretStore.Step.INTENT_WRITTEN);

        assertThatThrownBy(() -> crashing.promote(p, v2.id(), v1.id())).isInstanceOf(SimulatedCrash.class);

        assertThat(plainRead()).containsEntry("value", "old");
        assertThat(stages()).containsExactly(Map.entry(v1.id(), Set.of(Stage.CURRENT)), Map.entry(v2.id(), Set.of(Stage.PENDING)));
        other.promote(p, v2.id(), v1.id());
        assertThat(plainRead()).containsEntry("value", "new");
        assertThat(stages()).containsExactly(Map.entry(v1.id(), Set.of(Stage.PREVIOUS)), Map.entry(v2.id(), Set.of(Stage.CURRENT)));
    }

    @Test
    void promotionDeadAfterTheLiveWriteIsSeenAsDoneUnderTheSameVersionId() throws Exception {
        VersionInfo v1 = other.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        VersionInfo v2 = other.put(p, SecretValue.ofUtf8("new"), PutOptions.pending());
        crashAt(VaultSecretStore.Step.LIVE_WRITTEN);

        assertThatThrownBy(() -> crashing.promote(p, v2.id(), v1.id())).isInstanceOf(SimulatedCrash.class);

        assertThat(plainRead()).containsEntry("value", "new");
        assertThat(other.get(p).version().id()).isEqualTo(v2.id());
        assertThat(stages()).containsExactly(Map.entry(v1.id(), Set.of(Stage.PREVIOUS)), Map.entry(v2.id(), Set.of(Stage.CURRENT)));
        assertThatThrownBy(() -> other.promote(p, v1.id(), v1.id())).isInstanceOf(dev.rotor.ConflictException.class);
        VersionInfo v3 = other.put(p, SecretValue.ofUtf8("newer"), PutOptions.current());
        assertThat(stages()).containsExactly(Map.entry(v1.id(), Set.of()), Map.entry(v2.id(), Set.of(Stage.PREVIOUS)),
                Map.entry(v3.id(), Set.of(Stage.CURRENT)));
    }

    @Test
    void anAnnouncedPromotionDoesNotClaimADifferentValueWrittenByOthers() throws Exception {
        VersionInfo v1 = other.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        VersionInfo v2 = other.put(p, SecretValue.ofUtf8("rotor-candidate"), PutOptions.pending());
        crashAt(VaultSecretStore.Step.INTENT_WRITTEN);
        assertThatThrownBy(() -> crashing.promote(p, v2.id(), v1.id())).isInstanceOf(SimulatedCrash.class);

        Vault d = Vault.create(new VaultConfig().address(vault.address()).token(vault.token()).engineVersion(2).build(), 2);
        d.logical().write(vault.mount() + "/" + other.livePath(p), Map.of("value", "operator"));

        assertThat(other.get(p).version().id()).startsWith("L");
        assertThat(other.get(p).value().asUtf8()).isEqualTo("{\"value\":\"operator\"}");
        assertThat(other.get(p, Selector.PENDING).version().id()).isEqualTo(v2.id());
        assertThat(other.get(p, Selector.PREVIOUS).version().id()).isEqualTo(v1.id());
    }

    @Test
    void aPutAsCurrentDeadBeforeItsLiveWriteIsFinishedByARetryWithTheSameKey() throws Exception {
        other.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        crashAt(VaultSecretStore.Step.INTENT_WRITTEN);
        PutOptions options = PutOptions.current().withIdempotencyKey("run-42");

        assertThatThrownBy(() -> crashing.put(p, SecretValue.ofUtf8("new"), options)).isInstanceOf(SimulatedCrash.class);
        assertThat(plainRead()).containsEntry("value", "old");

        VersionInfo retried = other.put(p, SecretValue.ofUtf8("new"), options);

        assertThat(retried.stages()).containsExactly(Stage.CURRENT);
        assertThat(plainRead()).containsEntry("value", "new");
        assertThat(other.versions(p)).hasSize(2);
        assertThat(other.put(p, SecretValue.ofUtf8("new"), options).id()).isEqualTo(retried.id());
    }

    @Test
    void aPutAsCurrentDeadAfterItsLiveWriteIsReturnedAsIsByARetryWithTheSameKey() throws Exception {
        other.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        crashAt(VaultSecretStore.Step.LIVE_WRITTEN);
        PutOptions options = PutOptions.current().withIdempotencyKey("run-43");

        assertThatThrownBy(() -> crashing.put(p, SecretValue.ofUtf8("new"), options)).isInstanceOf(SimulatedCrash.class);
        String current = other.get(p).version().id();

        VersionInfo retried = other.put(p, SecretValue.ofUtf8("new"), options);

        assertThat(retried.id()).isEqualTo(current);
        assertThat(other.versions(p)).hasSize(2);
        assertThat(plainRead()).containsEntry("value", "new");
    }

    @Test
    void aPutDeadAfterWritingItsCopyLeavesNoVisibleVersion() {
        VersionInfo v1 = other.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        crashAt(VaultSecretStore.Step.COPY_WRITTEN);

        assertThatThrownBy(() -> crashing.put(p, SecretValue.ofUtf8("lost"), PutOptions.pending())).isInstanceOf(SimulatedCrash.class);

        assertThat(other.versions(p)).extracting(VersionInfo::id).containsExactly(v1.id());
        VersionInfo v3 = other.put(p, SecretValue.ofUtf8("next"), PutOptions.pending());
        assertThat(v3.id()).isNotEqualTo(v1.id());
        assertThat(other.get(p, Selector.PENDING).value().asUtf8()).isEqualTo("next");
    }

    @Test
    void aDeleteDeadAfterDroppingTheRecordLeavesTheLiveSecretAndDeletingAgainFinishes() throws Exception {
        other.put(p, SecretValue.ofUtf8("live"), PutOptions.current());
        other.put(p, SecretValue.ofUtf8("pending"), PutOptions.pending());
        crashAt(VaultSecretStore.Step.STATE_DELETED);

        assertThatThrownBy(() -> crashing.delete(p)).isInstanceOf(SimulatedCrash.class);

        assertThat(plainRead()).containsEntry("value", "live");
        assertThat(other.list(p)).containsExactly(p);
        assertThat(other.get(p).value().asUtf8()).isEqualTo("{\"value\":\"live\"}");
        other.delete(p);
        assertThatThrownBy(() -> other.get(p)).isInstanceOf(SecretNotFoundException.class);
        assertThat(other.list(p)).isEmpty();
    }
}
