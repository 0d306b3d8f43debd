package dev.rotor.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.SecretStore;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.testkit.SecretStoreContract;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The full decorator stack (cache, audit, metrics, retry) over the reference store must keep
 * every promise of the contract: caching and auditing may not change what a caller sees.
 */
class DecoratedSecretStoreContractTest extends SecretStoreContract {

    private static final List<AuditEvent> EVENTS = new CopyOnWriteArrayList<>();
    private static DecoratedSecretStore store;

    @BeforeAll
    static void openStore() {
        AuditSink sink = new AuditSink() {
            @Override
            public void append(AuditEvent event) {
                EVENTS.add(event);
            }

            @Override
            public String describe() {
                return "memory";
            }

            @Override
            public void close() {}
        };
        store = SecretStoreBuilder.on(new InMemorySecretStore("decorated"))
                .audit(sink, AuditOptions.defaults())
                .metrics(new MetricRegistry())
                .cache(CacheOptions.defaults())
                .retry(RetryOptions.defaults())
                .build();
    }

    @AfterAll
    static void closeStore() {
        assertThat(store.list("")).as("secrets left behind by the contract").isEmpty();
        store.close();
        assertThat(EVENTS).as("every backend access is audited").isNotEmpty();
    }

    @Override
    protected SecretStore store() {
        return store;
    }
}
