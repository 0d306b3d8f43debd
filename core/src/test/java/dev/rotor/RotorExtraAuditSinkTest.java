package dev.rotor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditSink;
import dev.rotor.audit.JsonlAuditSink;
import dev.rotor.config.RotorConfig;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sinks added with {@link Rotor.Builder#addAuditSink}, and {@code audit.postgres} without one. */
class RotorExtraAuditSinkTest {

    private final ProviderRegistry providers = ProviderRegistry.builder().register(new InMemoryStoreProvider()).build();

    @TempDir
    Path dir;

    /** A sink that keeps what it is given and notes whether it was closed. */
    static final class Collecting implements AuditSink {
        final List<AuditEvent> events = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public void append(AuditEvent event) {
            events.add(event);
        }

        @Override
        public String describe() {
            return "collecting";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void anAddedSinkGetsEveryEventBesideTheFileAndStaysOpen() throws Exception {
        Collecting extra = new Collecting();
        MetricRegistry metrics = new MetricRegistry();
        RotorConfig config = RotorConfig.parse("""
                stores: {main: {type: memory}}
                audit: {file: ./audit.jsonl}
                """, dir);
        try (Rotor rotor = Rotor.builder(config, providers).environment(Map.of("USER", "svc")::get).metrics(metrics)
                .addAuditSink(extra).build()) {
            rotor.store("main").put("db/app", SecretValue.ofUtf8("v"), PutOptions.current());
        }

        assertThat(extra.events).extracting(AuditEvent::action).containsExactly(AuditAction.PUT);
        assertThat(extra.closed).isFalse();
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).singleElement().asString().contains("\"action\":\"PUT\"");
        assertThat(metrics.getGauges()).containsKey(JsonlAuditSink.QUEUE_DEPTH_GAUGE);
    }

    @Test
    void aConfigurationNamingPostgresIsRefusedWithoutASinkForIt() {
        RotorConfig config = RotorConfig.parse("""
                stores: {main: {type: memory}}
                audit: {postgres: {url: "jdbc:postgresql://db/rotor"}}
                """, dir);

        assertThatThrownBy(() -> Rotor.builder(config, providers).environment(Map.of("USER", "svc")::get).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("audit.postgres"));

        Collecting postgresStandIn = new Collecting();
        try (Rotor rotor = Rotor.builder(config, providers).environment(Map.of("USER", "svc")::get)
                .addAuditSink(postgresStandIn).build()) {
            rotor.store("main").put("db/app", SecretValue.ofUtf8("v"), PutOptions.current());
        }
        assertThat(postgresStandIn.events).hasSize(1);
    }
}
