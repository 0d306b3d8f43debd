package dev.rotor;

import dev.rotor.spi.ForwardingSecretStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.config.RotorConfig;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotorTest {

    private static final Path BASE = Path.of("/srv/app");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final Map<String, String> ENV = Map.of("USER", "svc", "HOSTNAME", "web-1");

    /** A provider of type {@code test} that records what it was asked and can be told to fail. */
    static final class RecordingProvider implements SecretStoreProvider {
        final List<StoreContext> contexts = new ArrayList<>();
        final List<String> opened = new ArrayList<>();
        final List<String> closed = new ArrayList<>();
        String failOpening;

        @Override
        public String type() {
            return "test";
        }

        @Override
        public Capabilities capabilities() {
            return InMemorySecretStore.CAPABILITIES;
        }

        @Override
        public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
            List<ConfigProblem> problems = new ArrayList<>();
            config.settings().forEach((k, v) -> {
                if (!k.equals("ok")) {
                    problems.add(new ConfigProblem(config.fieldPath(k), "not a test setting"));
                }
            });
            return problems;
        }

        @Override
        public SecretStore open(StoreConfig config, StoreContext context) {
            if (config.name().equals(failOpening)) {
                throw new ProviderUnavailableException("store '" + config.name() + "' is down", false, null);
            }
            contexts.add(context);
            opened.add(config.name());
            return new Closing(config.name(), context.clock(), closed);
        }
    }

    /** An in-memory store that notes when it is closed. */
    static final class Closing extends ForwardingSecretStore {
        private final List<String> closed;

        Closing(String name, Clock clock, List<String> closed) {
            super(new InMemorySecretStore(name, clock));
            this.closed = closed;
        }

        @Override
        public void close() {
            closed.add(name());
        }
    }

    private final RecordingProvider test = new RecordingProvider();
    private final ProviderRegistry providers = ProviderRegistry.builder().register(new InMemoryStoreProvider()).register(test).build();

    private Rotor open(String yaml) {
        return Rotor.builder(RotorConfig.parse(yaml, BASE), providers).clock(CLOCK).environment(ENV::get).build();
    }

    @Test
    void opensEveryStoreWithTheConfigDirectoryClockAndEnvironment() {
        try (Rotor rotor = open("stores: {a: {type: test}, b: {type: memory}, c: {type: test}}")) {
            assertThat(rotor.storeNames()).containsExactly("a", "b", "c");
            assertThat(test.opened).containsExactly("a", "c");
            assertThat(test.contexts).allSatisfy(ctx -> {
                assertThat(ctx.baseDirectory()).isEqualTo(BASE);
                assertThat(ctx.clock()).isEqualTo(CLOCK);
                assertThat(ctx.env("USER")).isEqualTo("svc");
            });
            assertThat(rotor.store("b").name()).isEqualTo("b");
        }
    }

    @Test
    void unknownStoreNameListsTheConfiguredOnes() {
        try (Rotor rotor = open("stores: {main: {type: memory}, backup: {type: memory}}")) {
            assertThatThrownBy(() -> rotor.store("prod"))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("invalid configuration: stores.prod: no store named 'prod' is configured (configured: main, backup)");
            assertThatThrownBy(() -> rotor.get(SecretRef.parse("secret://prod/x")))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("no store named 'prod'");
        }
    }

    @Test
    void everyProblemIsReportedBeforeAnythingIsOpened() {
        assertThatThrownBy(() -> open("""
                stores:
                  a: {type: test, ok: 1}
                  b: {type: vault}
                  c: {type: test, colour: red, size: 3}
                """))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        new ConfigProblem("stores.b.type", "unknown store type 'vault' (known: memory, test)"),
                        new ConfigProblem("stores.c.colour", "not a test setting"),
                        new ConfigProblem("stores.c.size", "not a test setting")));
        assertThat(test.opened).isEmpty();
    }

    @Test
    void aStoreFailingToOpenClosesTheOnesAlreadyOpen() {
        test.failOpening = "c";

        assertThatThrownBy(() -> open("stores: {a: {type: test}, b: {type: test}, c: {type: test}}"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("store 'c' is down");
        assertThat(test.opened).containsExactly("a", "b");
        assertThat(test.closed).containsExactly("b", "a");
    }

    @Test
    void closeClosesEveryStoreOnceAndLaterUseFails() {
        Rotor rotor = open("stores: {a: {type: test}, b: {type: test}}");

        rotor.close();
        rotor.close();

        assertThat(test.closed).containsExactly("b", "a");
        assertThatThrownBy(() -> rotor.store("a")).isInstanceOf(IllegalStateException.class).hasMessage("this Rotor is closed");
        assertThatThrownBy(rotor::storeNames).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void getReadsTheSelectedVersionAndAppliesTheField() {
        try (Rotor rotor = open("stores: {main: {type: memory}}")) {
            SecretStore store = rotor.store("main");
            store.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", "pw-1")), PutOptions.current());
            store.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", "pw-2")), PutOptions.pending());

            Secret whole = rotor.get(SecretRef.parse("secret://main/db/app"));
            Secret field = rotor.get(SecretRef.parse("secret://main/db/app#password"));
            Secret pending = rotor.get(SecretRef.parse("secret://main/db/app#password?stage=pending"));

            assertThat(whole.value().isJsonObject()).isTrue();
            assertThat(whole.version().id()).isEqualTo("1");
            assertThat(field.value().asUtf8()).isEqualTo("pw-1");
            assertThat(field.version().id()).isEqualTo("1");
            assertThat(field.path()).isEqualTo("db/app");
            assertThat(pending.value().asUtf8()).isEqualTo("pw-2");
            assertThat(pending.version().stages()).containsExactly(Stage.PENDING);
        }
    }

    @Test
    void aMissingFieldNamesTheRefAndVersionButNotTheValue() {
        try (Rotor rotor = open("stores: {main: {type: memory}}")) {
            rotor.store("main").put("db/app", SecretValue.ofFields(Map.of("password", "canary-77d1")), PutOptions.current());

            assertThatThrownBy(() -> rotor.get(SecretRef.parse("secret://main/db/app#username")))
                    .isInstanceOf(SecretFieldException.class)
                    .hasMessage("secret://main/db/app#username (version 1): value has no field 'username'")
                    .hasMessageNotContaining("canary-77d1");
        }
    }

    @Test
    void notFoundPassesThrough() {
        try (Rotor rotor = open("stores: {main: {type: memory}}")) {
            assertThatThrownBy(() -> rotor.get(SecretRef.parse("secret://main/none")))
                    .isInstanceOf(SecretNotFoundException.class)
                    .hasMessage("secret 'none' not found in store 'main'");
        }
    }

    @Test
    void actorIsTheConfiguredOneOrUserAtHost() {
        try (Rotor rotor = open("actor: ops-alice\nstores: {main: {type: memory}}")) {
            assertThat(rotor.actor()).isEqualTo("ops-alice");
        }
        try (Rotor rotor = open("stores: {main: {type: memory}}")) {
            assertThat(rotor.actor()).isEqualTo("svc@web-1");
        }
        assertThat(Rotor.defaultActor(Map.of("USERNAME", "win", "COMPUTERNAME", "pc")::get)).isEqualTo("win@pc");
        assertThat(Rotor.defaultActor(name -> null)).matches(".+@.+");
    }

    /** Keeps the events it is given. */
    static final class ListSink implements dev.rotor.audit.AuditSink {
        final List<AuditEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        boolean closed;

        @Override
        public void append(AuditEvent event) {
            events.add(event);
        }

        @Override
        public String describe() {
            return "list";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void everyAccessIsAuditedAsTheConfiguredActorAndTheSinkStaysTheCallers() {
        ListSink sink = new ListSink();
        Rotor rotor = Rotor.builder(RotorConfig.parse("actor: ops-alice\nstores: {main: {type: memory}}", BASE), providers)
                .clock(CLOCK).environment(ENV::get).auditSink(sink).build();
        try (rotor) {
            rotor.store("main").put("db/app", SecretValue.ofUtf8("v"), PutOptions.current());
            AuditContext.runAs("cli-user", "req-1", () -> rotor.get(SecretRef.parse("secret://main/db/app")));
            assertThatThrownBy(() -> rotor.get(SecretRef.parse("secret://main/none"))).isInstanceOf(SecretNotFoundException.class);
        }

        assertThat(sink.events).extracting(AuditEvent::action, AuditEvent::actor, AuditEvent::path, AuditEvent::outcome).containsExactly(
                tuple(AuditAction.PUT, "ops-alice", "db/app", AuditOutcome.SUCCESS),
                tuple(AuditAction.GET, "cli-user", "db/app", AuditOutcome.SUCCESS),
                tuple(AuditAction.GET, "ops-alice", "none", AuditOutcome.NOT_FOUND));
        assertThat(sink.events.get(1).requestId()).isEqualTo("req-1");
        assertThat(sink.events).allSatisfy(e -> assertThat(e.time()).isEqualTo(CLOCK.instant()));
        assertThat(sink.closed).isFalse();
    }

    @Test
    void aConfiguredCacheServesRepeatedReadsWithoutTheBackend() {
        List<String> backendGets = new java.util.concurrent.CopyOnWriteArrayList<>();
        SecretStoreProvider counting = new SecretStoreProvider() {
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
                return new ForwardingSecretStore(new InMemorySecretStore(config.name(), context.clock())) {
                    @Override
                    public Secret get(String path, Selector selector) {
                        backendGets.add(path);
                        return super.get(path, selector);
                    }
                };
            }
        };
        ProviderRegistry registry = ProviderRegistry.builder().register(counting).build();
        com.codahale.metrics.MetricRegistry metrics = new com.codahale.metrics.MetricRegistry();
        try (Rotor rotor = Rotor.builder(RotorConfig.parse("stores: {main: {type: counting}}\ncache: {ttl: 5m}", BASE), registry)
                .clock(CLOCK).environment(ENV::get).metrics(metrics).build()) {
            rotor.store("main").put("db/app", SecretValue.ofUtf8("v"), PutOptions.current());
            for (int i = 0; i < 3; i++) {
                assertThat(rotor.get(SecretRef.parse("secret://main/db/app")).value().asUtf8()).isEqualTo("v");
            }
            assertThat(backendGets).containsExactly("db/app");
            assertThat(metrics.counter("rotor.cache.main.hits").getCount()).isEqualTo(2);
        }
    }

    @Test
    void withoutACacheEveryReadGoesToTheBackend() {
        com.codahale.metrics.MetricRegistry metrics = new com.codahale.metrics.MetricRegistry();
        try (Rotor rotor = Rotor.builder(RotorConfig.parse("stores: {main: {type: memory}}", BASE), providers)
                .clock(CLOCK).environment(ENV::get).metrics(metrics).build()) {
            rotor.store("main").put("db/app", SecretValue.ofUtf8("v"), PutOptions.current());
            rotor.get(SecretRef.parse("secret://main/db/app"));
            rotor.get(SecretRef.parse("secret://main/db/app"));

            assertThat(metrics.timer("rotor.store.main.get").getCount()).isEqualTo(2);
            assertThat(metrics.getCounters()).doesNotContainKey("rotor.cache.main.hits");
        }
    }

    @Test
    void checkpointKeyProblemsAreReportedWithTheStoreProblemsAndNeverQuoteTheKey() {
        String yaml = "stores: {main: {type: test, colour: red}}\naudit: {file: audit.jsonl, checkpointKeyEnv: AUDIT_KEY}";
        RotorConfig config = RotorConfig.parse(yaml, BASE);

        assertThatThrownBy(() -> Rotor.builder(config, providers).environment(Map.<String, String>of()::get).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems()).extracting(ConfigProblem::field)
                        .containsExactly("stores.main.colour", "audit.checkpointKeyEnv"))
                .hasMessageContaining("environment variable AUDIT_KEY is not set");
        assertThatThrownBy(() -> Rotor.builder(config, providers).environment(Map.of("AUDIT_KEY", "not base64 canary-k3y!")::get).build())
                .hasMessageContaining("AUDIT_KEY is not valid base64")
                .hasMessageNotContaining("canary-k3y");
        assertThatThrownBy(() -> Rotor.builder(config, providers).environment(Map.of("AUDIT_KEY", "c2hvcnQ=")::get).build())
                .hasMessageContaining("holds a key of 5 bytes; at least 16 are required");
        assertThat(test.opened).isEmpty();
    }

    @Test
    void theConfiguredAuditFileRecordsEveryAccessAndVerifies(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        RotorConfig config = RotorConfig.parse("""
                actor: auditor
                stores: {main: {type: memory}}
                audit: {file: logs/audit.jsonl, stdout: true, checkpointKeyEnv: AUDIT_KEY}
                """, dir);
        try (Rotor rotor = Rotor.builder(config, providers).environment(Map.of("AUDIT_KEY", key)::get)
                .auditStream(new java.io.PrintStream(stream, true, java.nio.charset.StandardCharsets.UTF_8)).build()) {
            rotor.store("main").put("db/app", SecretValue.ofUtf8("canary-audit-1"), PutOptions.current());
            rotor.get(SecretRef.parse("secret://main/db/app"));
        }

        Path log = dir.resolve("logs/audit.jsonl");
        List<String> lines = java.nio.file.Files.readAllLines(log);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"actor\":\"auditor\"").contains("\"action\":\"PUT\"");
        assertThat(lines.get(1)).contains("\"action\":\"GET\"");
        assertThat(String.join("\n", lines)).doesNotContain("canary-audit-1");
        assertThat(stream.toString(java.nio.charset.StandardCharsets.UTF_8).lines()).hasSize(2)
                .allSatisfy(line -> assertThat(line).doesNotContain("canary-audit-1").doesNotContain("\"seq\""));
        dev.rotor.audit.AuditVerification verification = dev.rotor.audit.AuditLogVerifier.verify(log, new byte[32]);
        assertThat(verification.ok()).as("%s", verification.problems()).isTrue();
        assertThat(verification.checkpoint()).isEqualTo(dev.rotor.audit.AuditVerification.CheckpointStatus.VERIFIED);
    }

    @Test
    void anAuditFileThatCannotBeOpenedOpensNoStore(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("audit.jsonl"), "this is not an audit log\n");
        RotorConfig config = RotorConfig.parse("stores: {main: {type: test}}\naudit: {file: audit.jsonl}", dir);

        assertThatThrownBy(() -> Rotor.builder(config, providers).build())
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining(dir.resolve("audit.jsonl").toString());
        assertThat(test.opened).isEmpty();
    }
}
