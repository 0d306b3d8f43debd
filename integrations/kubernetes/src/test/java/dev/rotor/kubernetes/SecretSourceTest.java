package dev.rotor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.SecretStoreBuilder;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The sync's minute-by-minute version check is a metadata poll kept out of the audit log (as the
 * watcher's are); reading the value to write it is audited.
 */
class SecretSourceTest {

    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    private final AuditSink recording = new AuditSink() {
        @Override
        public void append(AuditEvent event) {
            events.add(event);
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public void close() {}
    };

    @Test
    void theVersionCheckIsNotAuditedAndTheValueReadIs() {
        SecretStore backend = new InMemorySecretStore("main", Clock.systemUTC());
        String id = backend.put("db/app", SecretValue.ofUtf8("{\"password\":\"x\"}"), PutOptions.current()).id();
        SecretStore audited = SecretStoreBuilder.on(backend).audit(recording, AuditOptions.defaults().withDefaultActor("rotor")).build();
        SecretSource source = SecretSource.of(name -> audited);
        SecretRef ref = SecretRef.of("main", "db/app");

        assertThat(source.currentVersionId(ref)).isEqualTo(id);
        assertThat(events).isEmpty();

        source.current(ref).value().destroy();
        assertThat(events).extracting(AuditEvent::action).containsExactly(AuditAction.GET);
    }
}
