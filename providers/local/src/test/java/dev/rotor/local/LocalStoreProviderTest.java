package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AccessDeniedException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreProviderTest {

    @TempDir
    Path base;

    private final Map<String, String> env = new HashMap<>();
    private final LocalStoreProvider provider = new LocalStoreProvider();

    private StoreContext context() {
        return new StoreContext(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC), env::get, base);
    }

    private static StoreConfig config(Object... keyValues) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new StoreConfig("main", "local", settings);
    }

    @Test
    void typeAndCapabilities() {
        assertThat(provider.type()).isEqualTo("local");
        assertThat(provider.capabilities()).isEqualTo(LocalSecretStore.CAPABILITIES);
        assertThat(provider.capabilities().maxValueBytes()).isEqualTo(1 << 20);
    }

    @Test
    void aValidConfigurationHasNoProblems() {
        assertThat(provider.validate(config("path", "data/store"), context())).isEmpty();
        assertThat(provider.validate(config("path", "data/store", "keyFile", "master.key"), context())).isEmpty();
        assertThat(provider.validate(config("path", "data/store", "keyEnv", "MY_KEY"), context())).isEmpty();
        assertThat(provider.validate(config("path", "data/store", "maxVersions", 5), context())).isEmpty();
    }

    @Test
    void maxVersionsOutOfRangeOrNotANumberIsNamed() {
        assertThat(provider.validate(config("path", "p", "maxVersions", 0), context()))
                .extracting(ConfigProblem::toString)
                .containsExactly("stores.main.maxVersions: must be between 1 and " + LocalStoreOptions.MAX_MAX_VERSIONS + ", is 0");
        assertThat(provider.validate(config("path", "p", "maxVersions", "many"), context()))
                .extracting(ConfigProblem::field).containsExactly("stores.main.maxVersions");
    }

    @Test
    void theStoreIsOpenedWithTheConfiguredMaxVersions() {
        env.put("ROTOR_MASTER_KEY", MasterKey.generate().toBase64());
        try (SecretStore store = provider.open(config("path", "s", "maxVersions", 3), context())) {
            assertThat(((LocalSecretStore) store).options().maxVersions()).isEqualTo(3);
        }
        try (SecretStore store = provider.open(config("path", "s"), context())) {
            assertThat(((LocalSecretStore) store).options()).isEqualTo(LocalStoreOptions.defaults());
        }
    }

    @Test
    void validateReportsEveryProblemAtOnceNamingEachField() {
        assertThat(provider.validate(config("keyFile", "a.key", "keyEnv", "1BAD-NAME"), context()))
                .extracting(ConfigProblem::field)
                .containsExactly("stores.main.path", "stores.main.keyEnv", "stores.main.keyEnv");
        assertThat(provider.validate(config("path", " ", "keyFile", ""), context()))
                .extracting(ConfigProblem::toString)
                .containsExactly("stores.main.path: is required: the directory of the store", "stores.main.keyFile: is empty");
    }

    @Test
    void validateNamesAnUnknownSettingAndAWrongType() {
        assertThat(provider.validate(config("path", "p", "keyfile", "x"), context()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("stores.main.keyfile");
                    assertThat(p.message()).contains("unknown setting").contains("keyFile");
                });
        assertThat(provider.validate(config("path", Map.of("a", 1)), context()))
                .singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("stores.main.path"));
    }

    @Test
    void validateTouchesNoFiles() throws Exception {
        provider.validate(config("path", "never/created", "keyFile", "absent.key"), context());
        try (var entries = Files.list(base)) {
            assertThat(entries).isEmpty();
        }
    }

    @Test
    void opensWithAKeyFromTheDefaultEnvironmentVariableAndResolvesRelativePaths() throws Exception {
        env.put("ROTOR_MASTER_KEY", MasterKey.generate().toBase64());
        try (SecretStore store = provider.open(config("path", "data/store"), context())) {
            store.put("a", SecretValue.ofUtf8("x"), PutOptions.current());
            assertThat(store.name()).isEqualTo("main");
            assertThat(store.get("a").value().asUtf8()).isEqualTo("x");
        }
        assertThat(base.resolve("data/store/rotor-store.json")).isRegularFile();
    }

    @Test
    void opensWithAKeyFileAndWithANamedEnvironmentVariable() {
        MasterKey key = MasterKey.writeNew(base.resolve("master.key"));
        try (SecretStore store = provider.open(config("path", "s", "keyFile", "master.key"), context())) {
            store.put("a", SecretValue.ofUtf8("from file"), PutOptions.current());
        }
        env.put("OTHER_KEY", key.toBase64());
        try (SecretStore store = provider.open(config("path", "s", "keyEnv", "OTHER_KEY"), context())) {
            assertThat(store.get("a").value().asUtf8()).isEqualTo("from file");
        }
    }

    @Test
    void throughARegistryLikeAnyOtherProvider() {
        env.put("ROTOR_MASTER_KEY", MasterKey.generate().toBase64());
        ProviderRegistry registry = ProviderRegistry.builder().register(provider).build();
        try (SecretStore store = registry.open(config("path", "r"), context())) {
            assertThat(store).isInstanceOf(LocalSecretStore.class);
        }
    }

    @Test
    void aMissingEnvironmentKeyIsAConfigurationErrorNamingKeyEnv() {
        assertThatThrownBy(() -> provider.open(config("path", "s"), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.keyEnv")
                .hasMessageContaining("ROTOR_MASTER_KEY is not set");
        assertThat(base.resolve("s")).doesNotExist();
    }

    @Test
    void aMissingKeyFileIsAConfigurationErrorNamingKeyFile() {
        assertThatThrownBy(() -> provider.open(config("path", "s", "keyFile", "nope.key"), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.keyFile")
                .hasMessageContaining(base.resolve("nope.key").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aMalformedKeyIsAConfigurationErrorThatDoesNotQuoteIt() throws Exception {
        String notAKey = "clearly-not-a-key-value";
        env.put("ROTOR_MASTER_KEY", notAKey);
        assertThatThrownBy(() -> provider.open(config("path", "s"), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.keyEnv")
                .hasMessageContaining("not valid base64")
                .message().doesNotContain(notAKey);
        env.put("ROTOR_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[31]));
        assertThatThrownBy(() -> provider.open(config("path", "s"), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("must be 32 bytes");
        Files.writeString(base.resolve("bad.key"), notAKey);
        assertThatThrownBy(() -> provider.open(config("path", "s", "keyFile", "bad.key"), context()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.keyFile")
                .message().doesNotContain(notAKey);
    }

    @Test
    void aWrongKeyIsAccessDeniedNamingTheDirectory() {
        env.put("ROTOR_MASTER_KEY", MasterKey.generate().toBase64());
        provider.open(config("path", "s"), context()).close();
        env.put("ROTOR_MASTER_KEY", MasterKey.generate().toBase64());
        assertThatThrownBy(() -> provider.open(config("path", "s"), context()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("master key does not match store at " + base.resolve("s"));
    }

    @Test
    void invalidSettingsFailOpenWithEveryProblem() {
        assertThatThrownBy(() -> provider.open(config("keyEnv", "bad name"), context()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).extracting(ConfigProblem::field)
                                .containsExactly("stores.main.path", "stores.main.keyEnv"));
    }
}
