package dev.rotor.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.resolve.Resolution;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.UnresolvedRef;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupResolutionTest {

    @TempDir
    Path dir;

    Canary canary;

    @BeforeEach
    void setUp() throws IOException {
        canary = Canary.create();
        MasterKey.generate().writeNew(dir.resolve("master.key"));
        try (LocalSecretStore store = LocalSecretStore.open("main", dir.resolve("store"), MasterKey.read(dir.resolve("master.key")), Clock.systemUTC())) {
            store.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", canary.text())), PutOptions.current());
            store.put("api/key", SecretValue.ofUtf8("k-123"), PutOptions.current());
        }
        Files.writeString(dir.resolve("rotor.yaml"), """
                stores:
                  main:
                    type: local
                    path: ./store
                    keyFile: ./master.key
                audit:
                  file: ./audit.jsonl
                """);
    }

    @Test
    void resolvesEveryRefInOnePassAndPrintsNoValue() {
        Properties props = new Properties();
        props.setProperty("db.user", "secret://main/db/app#username");
        props.setProperty("db.password", "secret://main/db/app#password");
        props.setProperty("api.key", "secret://main/api/key");
        props.setProperty("feature.key", "optional:secret://main/feature/key");
        props.setProperty("http.timeout", "secret://main/http/timeout|default:30s");
        props.setProperty("server.port", "8080");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LeakChecker leaks = LeakChecker.start(canary);
        Resolution<Properties> resolution;
        try (leaks) {
            leaks.watchFile(dir.resolve("audit.jsonl"));
            resolution = StartupResolution.resolve(dir.resolve("rotor.yaml"), props, new PrintStream(out, true, StandardCharsets.UTF_8));
            System.out.print(out.toString(StandardCharsets.UTF_8));
        }
        leaks.assertNoLeaks();

        Properties resolved = resolution.resolved();
        assertThat(resolved.getProperty("db.password")).isEqualTo(canary.text());
        assertThat(resolved.getProperty("db.user")).isEqualTo("app");
        assertThat(resolved.getProperty("api.key")).isEqualTo("k-123");
        assertThat(resolved.getProperty("http.timeout")).isEqualTo("30s");
        assertThat(resolved.getProperty("server.port")).isEqualTo("8080");
        assertThat(resolved).doesNotContainKey("feature.key");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("db.password <- secret://main/db/app#password (SECRET)")
                .contains("http.timeout <- secret://main/http/timeout (DEFAULT)")
                .contains("feature.key <- secret://main/feature/key (ABSENT)")
                .doesNotContain("server.port");
        resolution.destroy();
        assertThatThrownBy(() -> resolution.string("db.password")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyMissingSecretIsNamedInOneError() {
        Properties props = new Properties();
        props.setProperty("db.password", "secret://main/db/missing#password");
        props.setProperty("db.user", "secret://main/db/app#user");
        props.setProperty("api.key", "secret://main/api/key");
        assertThatThrownBy(() -> StartupResolution.resolve(dir.resolve("rotor.yaml"), props, System.out))
                .isInstanceOfSatisfying(SecretResolutionException.class, e -> assertThat(e.unresolved())
                        .extracting(UnresolvedRef::location, UnresolvedRef::reason)
                        .containsExactlyInAnyOrder(
                                org.assertj.core.api.Assertions.tuple("db.password", UnresolvedRef.Reason.NOT_FOUND),
                                org.assertj.core.api.Assertions.tuple("db.user", UnresolvedRef.Reason.NO_SUCH_FIELD)))
                .hasMessageNotContaining(canary.text());
    }
}
