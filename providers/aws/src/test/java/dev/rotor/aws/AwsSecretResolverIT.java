package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.resolve.Resolution;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.SecretResolver;
import dev.rotor.resolve.UnresolvedRef;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.DecoratedSecretStore;
import dev.rotor.store.RetryOptions;
import dev.rotor.store.SecretStoreBuilder;
import dev.rotor.testkit.peer.FaultProxy;
import dev.rotor.testkit.peer.PeerExtension;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Startup resolution against moto: 50 refs, read with BatchGetSecretValue through the store's layers. */
class AwsSecretResolverIT {

    private static final String CANARY = "CANARY-aws-resolve-3e9d";

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static FaultProxy proxy;
    private static AwsSecretStore raw;
    private final String prefix = "resolve/" + UUID.randomUUID() + "/";

    @BeforeAll
    static void open() throws IOException {
        proxy = FaultProxy.start(MOTO.peer().uri());
        raw = Moto.open("aws", proxy.uri());
    }

    @AfterAll
    static void close() {
        if (raw != null) {
            raw.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The raw store, wrapped as a Rotor opens it; closing the layers would close the shared raw store, so they are not closed. */
    private static DecoratedSecretStore layered(List<AuditEvent> audit) {
        AuditSink sink = new AuditSink() {
            @Override
            public void append(AuditEvent event) {
                audit.add(event);
            }

            @Override
            public String describe() {
                return "test:list";
            }

            @Override
            public void close() {
            }
        };
        return SecretStoreBuilder.on(new dev.rotor.spi.ForwardingSecretStore(raw) {
            @Override
            public void close() {
                // the raw store is shared by the tests and closed once, after them
            }
        }).audit(sink, AuditOptions.defaults()).cache(CacheOptions.defaults()).retry(RetryOptions.defaults()).build();
    }

    @Test
    void fiftyRefsResolveWithThreeBatchCalls() {
        Properties config = new Properties();
        for (int i = 0; i < 50; i++) {
            String path = prefix + "s" + String.format("%02d", i);
            raw.put(path, SecretValue.ofFields(Map.of("user", "u" + i, "password", "p" + i + CANARY)), PutOptions.current());
            config.setProperty("db" + i + ".password", "secret://aws/" + path + "#password");
            config.setProperty("db" + i + ".user", "secret://aws/" + path + "#user");
        }
        config.setProperty("feature", "optional:secret://aws/" + prefix + "absent");
        List<AuditEvent> audit = new CopyOnWriteArrayList<>();
        proxy.clear();

        try (DecoratedSecretStore store = layered(audit)) {
            Resolution<Properties> r = SecretResolver.of(store).resolve(config);

            Properties out = r.resolved();
            for (int i = 0; i < 50; i++) {
                assertThat(out.getProperty("db" + i + ".password")).isEqualTo("p" + i + CANARY);
                assertThat(out.getProperty("db" + i + ".user")).isEqualTo("u" + i);
            }
            assertThat(out).doesNotContainKey("feature");
            assertThat(r.toString()).doesNotContain(CANARY);
        }
        // 51 distinct secrets: 20 + 20 + 11.
        assertThat(proxy.count("secretsmanager.BatchGetSecretValue")).isEqualTo(3);
        assertThat(proxy.total()).as("every request that reached moto: %s", proxy.exchanges()).isEqualTo(3);
        assertThat(audit).hasSize(51);
    }

    @Test
    void everyFailureOfAPassIsNamedOnce() {
        String present = prefix + "present";
        raw.put(present, SecretValue.ofUtf8("plain " + CANARY), PutOptions.current());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("A", "secret://aws/" + prefix + "missing");
        env.put("B", "secret://aws/" + present + "#field");
        env.put("C", "secret://aws/" + present);
        proxy.clear();

        try (DecoratedSecretStore store = layered(new CopyOnWriteArrayList<>())) {
            assertThatThrownBy(() -> SecretResolver.of(store).resolveEnvironment(env))
                    .isInstanceOfSatisfying(SecretResolutionException.class, e -> assertThat(e.unresolved())
                            .extracting(UnresolvedRef::location, UnresolvedRef::reason)
                            .containsExactly(
                                    org.assertj.core.api.Assertions.tuple("A", UnresolvedRef.Reason.NOT_FOUND),
                                    org.assertj.core.api.Assertions.tuple("B", UnresolvedRef.Reason.NO_SUCH_FIELD)))
                    .hasMessageNotContaining(CANARY);
        }
        assertThat(proxy.count("secretsmanager.BatchGetSecretValue")).isEqualTo(1);
    }
}
