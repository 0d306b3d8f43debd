package dev.rotor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    static final class Closing extends ForwardingStore {
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
}
