package dev.rotor.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.PutOptions;
import dev.rotor.Rotor;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.AuditEvent;
import dev.rotor.config.RotorConfig;
import dev.rotor.internal.store.RecordingSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Resolution through the stores a {@link Rotor} opened: cache, audit and metrics layers in place. */
class SecretResolverRotorTest {

    private static final String CANARY = "CANARY-rotor-c81f";

    /** Opens in-memory stores wrapped in a {@link CountingStore}, kept by name for the test to inspect. */
    private static final class CountingProvider implements SecretStoreProvider {
        final Map<String, CountingStore> opened = new ConcurrentHashMap<>();

        @Override
        public String type() {
            return "counting";
        }

        @Override
        public Capabilities capabilities() {
            return InMemorySecretStore.CAPABILITIES;
        }

        @Override
        public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
            return List.of();
        }

        @Override
        public SecretStore open(StoreConfig config, StoreContext context) {
            CountingStore store = new CountingStore(new InMemorySecretStore(config.name(), context.clock()));
            opened.put(config.name(), store);
            return store;
        }
    }

    private final CountingProvider provider = new CountingProvider();
    private final RecordingSink sink = new RecordingSink();

    private Rotor open() {
        RotorConfig config = RotorConfig.parse("stores: {aws: {type: counting}, vault: {type: counting}}\ncache: {ttl: 5m}",
                Path.of("/srv/app"));
        return Rotor.builder(config, ProviderRegistry.builder().register(provider).build())
                .environment(Map.of("USER", "svc", "HOSTNAME", "web-1")::get)
                .auditSink(sink)
                .build();
    }

    @Test
    void oneBulkReadPerStoreThroughTheLayersAuditedAsTheCaller() {
        try (Rotor rotor = open()) {
            for (int i = 0; i < 30; i++) {
                rotor.store("aws").put("app/s" + i, SecretValue.ofUtf8("aws-" + i + CANARY), PutOptions.current());
            }
            rotor.store("vault").put("db", SecretValue.ofFields(Map.of("password", "pw-" + CANARY)), PutOptions.current());
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                env.put("S" + i, "secret://aws/app/s" + i);
            }
            env.put("DB_PASSWORD", "secret://vault/db#password");
            int eventsBefore = sink.events().size();

            Map<String, String> out = AuditContext.callAs("billing-startup", "req-1",
                    () -> SecretResolver.of(rotor).resolveEnvironment(env).resolved());

            assertThat(out).hasSize(31).containsEntry("S7", "aws-7" + CANARY).containsEntry("DB_PASSWORD", "pw-" + CANARY);
            assertThat(provider.opened.get("aws").bulkReads).singleElement()
                    .satisfies(b -> assertThat(b.paths()).hasSize(30));
            assertThat(provider.opened.get("vault").bulkReads).singleElement();
            assertThat(provider.opened.get("aws").singleReads).isEmpty();
            List<AuditEvent> reads = sink.events().subList(eventsBefore, sink.events().size());
            assertThat(reads).hasSize(31).allSatisfy(e -> {
                assertThat(e.action()).isEqualTo(AuditAction.GET);
                assertThat(e.actor()).isEqualTo("billing-startup");
                assertThat(e.requestId()).isEqualTo("req-1");
            });
            assertThat(reads.toString()).doesNotContain(CANARY);
        }
    }

    @Test
    void anUnknownStoreIsNamedWithTheConfiguredOnes() {
        try (Rotor rotor = open()) {
            assertThatThrownBy(() -> SecretResolver.of(rotor).resolveEnvironment(Map.of("X", "secret://azure/x")))
                    .isInstanceOfSatisfying(SecretResolutionException.class, e -> assertThat(e.unresolved())
                            .singleElement().satisfies(u -> assertThat(u.reason()).isEqualTo(UnresolvedRef.Reason.UNKNOWN_STORE)))
                    .hasMessageContaining("no store named 'azure' is configured (configured: aws, vault)");
        }
    }
}
