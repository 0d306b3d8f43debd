package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.testkit.peer.FaultProxy;
import dev.rotor.testkit.peer.PeerExtension;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bulk reads use BatchGetSecretValue, 20 secrets per call, counted where they reach moto. */
class AwsBatchGetIT {

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static FaultProxy proxy;
    private static AwsSecretStore store;
    private final String prefix = "batch/" + UUID.randomUUID() + "/";

    @BeforeAll
    static void open() throws IOException {
        proxy = FaultProxy.start(MOTO.peer().uri());
        store = Moto.open("aws", proxy.uri());
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void fiftySecretsAreReadWithThreeBatchCallsAndNoSingleReads() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String path = prefix + "s" + String.format("%02d", i);
            store.put(path, SecretValue.ofFields(Map.of("n", Integer.toString(i))), PutOptions.current());
            paths.add(path);
        }
        proxy.clear();

        Map<String, Secret> all = store.getAll(paths, Selector.CURRENT);

        assertThat(all.keySet()).containsExactlyElementsOf(paths);
        for (int i = 0; i < 50; i++) {
            Secret s = all.get(paths.get(i));
            assertThat(s.value().field("n").asUtf8()).isEqualTo(Integer.toString(i));
            assertThat(s.version().stages()).containsExactly(Stage.CURRENT);
        }
        assertThat(proxy.count("secretsmanager.BatchGetSecretValue")).isEqualTo(3);
        assertThat(proxy.count("secretsmanager.GetSecretValue")).isZero();
        assertThat(proxy.total()).as("every request that reached moto: %s", proxy.exchanges()).isEqualTo(3);
    }

    @Test
    void missingSecretsAndSecretsWithoutCurrentAreAbsentAndOrderIsKept() {
        String a = prefix + "a";
        String pendingOnly = prefix + "pending-only";
        String missing = prefix + "missing";
        String b = prefix + "b";
        store.put(a, SecretValue.ofUtf8("A"), PutOptions.current());
        VersionInfo bv = store.put(b, SecretValue.of(new byte[] {(byte) 0xfe, 0x01}), PutOptions.current());
        store.put(pendingOnly, SecretValue.ofUtf8("not live"), PutOptions.pending());
        proxy.clear();

        Map<String, Secret> all = store.getAll(List.of(b, missing, pendingOnly, a), Selector.CURRENT);

        assertThat(all.keySet()).containsExactly(b, a);
        assertThat(all.get(a).value().asUtf8()).isEqualTo("A");
        assertThat(all.get(b).value().bytes()).containsExactly(0xfe, 0x01);
        assertThat(all.get(b).version().id()).isEqualTo(bv.id());
        assertThat(proxy.count("secretsmanager.BatchGetSecretValue")).isEqualTo(1);
        assertThat(proxy.total()).isEqualTo(1);
    }

    @Test
    void otherSelectorsReadOneSecretAtATime() {
        String a = prefix + "pending-a";
        store.put(a, SecretValue.ofUtf8("live"), PutOptions.current());
        store.put(a, SecretValue.ofUtf8("next"), PutOptions.pending());
        proxy.clear();

        Map<String, Secret> all = store.getAll(List.of(a, prefix + "nothing"), Selector.PENDING);

        assertThat(all).containsOnlyKeys(a);
        assertThat(all.get(a).value().asUtf8()).isEqualTo("next");
        assertThat(proxy.count("secretsmanager.BatchGetSecretValue")).isZero();
    }
}
