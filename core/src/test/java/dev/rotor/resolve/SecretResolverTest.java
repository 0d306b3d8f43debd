package dev.rotor.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rotor.AccessDeniedException;
import dev.rotor.PutOptions;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.resolve.Resolution.Source;
import dev.rotor.resolve.UnresolvedRef.Reason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SecretResolverTest {

    private static final String CANARY = "CANARY-5d1a-never-print-me";
    private static final String DEFAULT_CANARY = "DEFAULT-CANARY-77b0";

    private final InMemorySecretStore mainBackend = new InMemorySecretStore("main");
    private final CountingStore main = new CountingStore(mainBackend);
    private final VersionInfo dbV1;
    private final VersionInfo dbV2;

    SecretResolverTest() {
        dbV1 = mainBackend.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", "old-" + CANARY)),
                PutOptions.current());
        dbV2 = mainBackend.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", CANARY)), PutOptions.current());
        mainBackend.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", "next-" + CANARY)),
                PutOptions.pending());
        mainBackend.put("api/key", SecretValue.ofUtf8("key-" + CANARY), PutOptions.current());
    }

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void oneBulkReadPerStoreAndSelectorAndEachSecretReadOnce() {
        Properties input = props(
                "db.user", "secret://main/db/app#username",
                "db.password", "secret://main/db/app#password",
                "api.key", "secret://main/api/key",
                "api.key2", "secret://main/api/key",
                "db.next", "secret://main/db/app?stage=pending#password",
                "plain", "not a ref");

        Resolution<Properties> r = SecretResolver.of(main).resolve(input);

        assertThat(main.bulkReads).extracting(CountingStore.BulkRead::selector, CountingStore.BulkRead::paths)
                .containsExactlyInAnyOrder(
                        tuple(Selector.CURRENT, List.of("db/app", "api/key")),
                        tuple(Selector.PENDING, List.of("db/app")));
        assertThat(main.singleReads).isEmpty();
        Properties out = r.resolved();
        assertThat(out.getProperty("db.user")).isEqualTo("app");
        assertThat(out.getProperty("db.password")).isEqualTo(CANARY);
        assertThat(out.getProperty("api.key")).isEqualTo("key-" + CANARY);
        assertThat(out.getProperty("api.key2")).isEqualTo("key-" + CANARY);
        assertThat(out.getProperty("db.next")).isEqualTo("next-" + CANARY);
        assertThat(out.getProperty("plain")).isEqualTo("not a ref");
        assertThat(r.locations()).containsExactlyInAnyOrder("db.user", "db.password", "api.key", "api.key2", "db.next");
    }

    @Test
    void stagesAndVersionsSelectTheRightValue() {
        Properties input = props(
                "current", "secret://main/db/app#password",
                "previous", "secret://main/db/app#password?stage=previous",
                "v1", "secret://main/db/app?version=" + dbV1.id() + "#password",
                "v2", "secret://main/db/app?version=" + dbV2.id() + "#password");

        Properties out = SecretResolver.of(main).resolve(input).resolved();

        assertThat(out.getProperty("current")).isEqualTo(CANARY);
        assertThat(out.getProperty("previous")).isEqualTo("old-" + CANARY);
        assertThat(out.getProperty("v1")).isEqualTo("old-" + CANARY);
        assertThat(out.getProperty("v2")).isEqualTo(CANARY);
        assertThat(main.bulkReads).hasSize(4);
    }

    @Test
    void optionalRefsAreLeftOutAndDefaultsApplyOnlyWhenMissing() {
        Properties input = props(
                "gone", "optional:secret://main/nothing/here",
                "gone.field", "optional:secret://main/db/app#nofield",
                "timeout", "secret://main/app/timeout|default:30",
                "empty", "secret://main/app/empty|default:",
                "user", "secret://main/db/app#username|default:fallback",
                "present", "optional:secret://main/api/key");

        Resolution<Properties> r = SecretResolver.of(main).resolve(input);

        Properties out = r.resolved();
        assertThat(out.stringPropertyNames()).containsExactlyInAnyOrder("timeout", "empty", "user", "present");
        assertThat(out.getProperty("timeout")).isEqualTo("30");
        assertThat(out.getProperty("empty")).isEmpty();
        assertThat(out.getProperty("user")).isEqualTo("app");
        assertThat(r.source("gone")).contains(Source.ABSENT);
        assertThat(r.source("gone.field")).contains(Source.ABSENT);
        assertThat(r.source("timeout")).contains(Source.DEFAULT);
        assertThat(r.source("user")).contains(Source.SECRET);
        assertThat(r.source("present")).contains(Source.SECRET);
        assertThat(r.value("gone")).isEmpty();
        assertThat(r.string("present")).contains("key-" + CANARY);
    }

    @Test
    void everyFailureIsNamedInOneErrorWithoutValues() {
        CountingStore locked = new CountingStore(new InMemorySecretStore("locked"))
                .failingWith(() -> new AccessDeniedException("store 'locked': permission denied reading secrets"));
        CountingStore down = new CountingStore(new InMemorySecretStore("down"))
                .failingWith(() -> new ProviderUnavailableException("store 'down' timed out", true, null));
        Properties input = props(
                "a.missing", "secret://main/no/such",
                "b.field", "secret://main/db/app#nofield",
                "c.unknown", "secret://nowhere/x",
                "d.denied", "secret://locked/x",
                "e.down", "optional:secret://down/x|default:" + DEFAULT_CANARY,
                "f.down", "optional:secret://down/y",
                "g.bad", "secret://main/bad path",
                "h.stage", "secret://main/api/key?stage=pending",
                "ok", "secret://main/db/app#password");

        SecretResolutionException e = catchThrowableOfType(SecretResolutionException.class,
                () -> SecretResolver.of(main, locked, down).resolve(input));

        assertThat(e.unresolved()).extracting(UnresolvedRef::location, UnresolvedRef::reason)
                .containsExactlyInAnyOrder(
                        tuple("a.missing", Reason.NOT_FOUND),
                        tuple("b.field", Reason.NO_SUCH_FIELD),
                        tuple("c.unknown", Reason.UNKNOWN_STORE),
                        tuple("d.denied", Reason.ACCESS_DENIED),
                        tuple("e.down", Reason.INVALID_REF),
                        tuple("f.down", Reason.STORE_UNAVAILABLE),
                        tuple("g.bad", Reason.INVALID_REF),
                        tuple("h.stage", Reason.NOT_FOUND));
        assertThat(e).hasMessageStartingWith("8 secret refs could not be resolved")
                .hasMessageContaining("secret://main/db/app#nofield")
                .hasMessageContaining("configured: main, locked, down")
                .hasMessageNotContaining(CANARY)
                .hasMessageNotContaining(DEFAULT_CANARY)
                .hasMessageNotContaining("ok = ");
        assertThat(e.unresolved().toString()).doesNotContain(CANARY).doesNotContain(DEFAULT_CANARY);
        assertThat(input.getProperty("ok")).isEqualTo("secret://main/db/app#password");
    }

    @Test
    void optionalAndDefaultDoNotHideAnOutage() {
        CountingStore down = new CountingStore(new InMemorySecretStore("down"))
                .failingWith(() -> new ProviderUnavailableException("store 'down' timed out", true, null));

        assertThatThrownBy(() -> SecretResolver.of(down).resolveEnvironment(Map.of("T", "secret://down/t|default:5")))
                .isInstanceOfSatisfying(SecretResolutionException.class, e -> assertThat(e.unresolved())
                        .extracting(UnresolvedRef::reason).containsExactly(Reason.STORE_UNAVAILABLE));
    }

    @Test
    void mixedStoresResolveConcurrentlyOnVirtualThreadsInOnePass() {
        InMemorySecretStore otherBackend = new InMemorySecretStore("other");
        otherBackend.put("token", SecretValue.ofUtf8("tok-" + CANARY), PutOptions.current());
        // Each read waits until both stores are being read: a sequential pass would never get past the first.
        CountDownLatch bothReading = new CountDownLatch(2);
        Runnable meet = () -> {
            bothReading.countDown();
            try {
                if (!bothReading.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other store was not read concurrently");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ie);
            }
        };
        main.beforeRead(meet);
        CountingStore other = new CountingStore(otherBackend).beforeRead(meet);

        Map<String, String> out = SecretResolver.of(main, other)
                .resolveEnvironment(Map.of("DB_PASSWORD", "secret://main/db/app#password", "TOKEN", "secret://other/token",
                        "HOME", "/home/app"))
                .resolved();

        assertThat(out).containsEntry("DB_PASSWORD", CANARY).containsEntry("TOKEN", "tok-" + CANARY).containsEntry("HOME", "/home/app");
        assertThat(main.bulkReads).singleElement().satisfies(b -> assertThat(b.virtualThread()).isTrue());
        assertThat(other.bulkReads).singleElement().satisfies(b -> assertThat(b.virtualThread()).isTrue());
    }

    @Test
    void mapTreesAreCopiedWithRefsReplacedAndTheInputUntouched() {
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("url", "jdbc:postgresql://db/app");
        db.put("password", "secret://main/db/app#password");
        db.put("pool", 10);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("datasource", db);
        tree.put("tokens", List.of("secret://main/api/key", "optional:secret://main/none", "literal"));
        tree.put("a.b", "secret://main/db/app#username");

        Resolution<Map<String, Object>> r = SecretResolver.of(main).resolve(tree);

        assertThat(r.locations()).containsExactly("datasource.password", "tokens[0]", "tokens[1]", "[a.b]");
        Map<String, Object> out = r.resolved();
        assertThat(out).containsEntry("datasource", Map.of("url", "jdbc:postgresql://db/app", "password", CANARY, "pool", 10));
        assertThat(out.get("tokens")).asList().containsExactly("key-" + CANARY, null, "literal");
        assertThat(out).containsEntry("a.b", "app");
        assertThat(db).containsEntry("password", "secret://main/db/app#password");
    }

    @Test
    void yamlTreesAreCopiedWithRefsReplacedAndTheInputUntouched() throws Exception {
        JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree("""
                datasource:
                  username: secret://main/db/app#username
                  password: secret://main/db/app#password
                  port: 5432
                feature:
                  key: optional:secret://main/feature/key
                servers:
                  - name: a
                    token: secret://main/api/key
                """);

        Resolution<JsonNode> r = SecretResolver.of(main).resolve(yaml);

        JsonNode out = r.resolved();
        assertThat(out.at("/datasource/username").textValue()).isEqualTo("app");
        assertThat(out.at("/datasource/password").textValue()).isEqualTo(CANARY);
        assertThat(out.at("/datasource/port").intValue()).isEqualTo(5432);
        assertThat(out.at("/feature").has("key")).isFalse();
        assertThat(out.at("/servers/0/token").textValue()).isEqualTo("key-" + CANARY);
        assertThat(r.locations()).containsExactly("datasource.username", "datasource.password", "feature.key", "servers[0].token");
        assertThat(yaml.at("/datasource/password").textValue()).isEqualTo("secret://main/db/app#password");
        assertThat(main.bulkReads).hasSize(1);
    }

    @Test
    void systemPropertiesAreReadNotChanged() {
        String name = "rotor.test.resolver." + System.nanoTime();
        System.setProperty(name, "secret://main/db/app#password");
        try {
            Resolution<Properties> r = SecretResolver.of(main).resolveSystemProperties();

            assertThat(r.resolved().getProperty(name)).isEqualTo(CANARY);
            assertThat(System.getProperty(name)).isEqualTo("secret://main/db/app#password");
        } finally {
            System.clearProperty(name);
        }
    }

    @Test
    void valuesComeOutOnlyOnRequestAndNeverInToString() {
        Resolution<Map<String, String>> r = SecretResolver.of(main)
                .resolveEnvironment(Map.of("PW", "secret://main/db/app#password", "T", "secret://main/x|default:" + DEFAULT_CANARY));

        assertThat(r.toString()).contains("PW").contains("secret://main/db/app#password").contains("DEFAULT")
                .doesNotContain(CANARY).doesNotContain(DEFAULT_CANARY);
        assertThat(r.chars("PW")).hasValueSatisfying(c -> assertThat(new String(c)).isEqualTo(CANARY));
        assertThat(r.value("PW")).hasValueSatisfying(v -> assertThat(v.asUtf8()).isEqualTo(CANARY));
        assertThat(r.string("T")).contains(DEFAULT_CANARY);
        assertThat(r.ref("PW")).hasValueSatisfying(ref -> assertThat(ref.field()).isEqualTo("password"));
        r.value("PW").orElseThrow().destroy();
        assertThat(r.string("PW")).contains(CANARY);
        r.destroy();
        assertThatThrownBy(() -> r.string("PW")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void logsAtTraceHoldNoValueOrDefault() {
        ch.qos.logback.classic.Logger rotorLogger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.rotor");
        ch.qos.logback.classic.Level previous = rotorLogger.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        rotorLogger.addAppender(logs);
        rotorLogger.setLevel(ch.qos.logback.classic.Level.TRACE);
        try {
            SecretResolver.of(main).resolveEnvironment(Map.of("PW", "secret://main/db/app#password",
                    "T", "secret://main/x|default:" + DEFAULT_CANARY));
            assertThatThrownBy(() -> SecretResolver.of(main).resolveEnvironment(Map.of("PW", "secret://main/db/app#nope",
                    "K", "secret://main/api/key"))).isInstanceOf(SecretResolutionException.class);
        } finally {
            rotorLogger.detachAppender(logs);
            rotorLogger.setLevel(previous);
        }
        assertThat(logs.list).isNotEmpty().allSatisfy(event -> assertThat(event.getFormattedMessage())
                .doesNotContain(CANARY).doesNotContain(DEFAULT_CANARY));
    }

    @Test
    void refsThatMerelyMentionTheSchemeLaterAreNotRefs() {
        Map<String, String> out = SecretResolver.of(main)
                .resolveEnvironment(Map.of("NOTE", "see secret://main/db/app", "OPT", "optional:literal"))
                .resolved();

        assertThat(out).containsEntry("NOTE", "see secret://main/db/app").containsEntry("OPT", "optional:literal");
        assertThat(main.bulkReads).isEmpty();
    }
}
