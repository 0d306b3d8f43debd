package dev.rotor.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupResolutionTest {

    @TempDir
    Path dir;

    @Test
    void resolvesEveryRefAndPrintsNoValue() throws Exception {
        Canary canary = Canary.create();
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
        Properties props = new Properties();
        props.setProperty("db.user", "secret://main/db/app#username");
        props.setProperty("db.password", "secret://main/db/app#password");
        props.setProperty("api.key", "secret://main/api/key");
        props.setProperty("server.port", "8080");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LeakChecker leaks = LeakChecker.start(canary);
        Map<String, SecretValue> resolved;
        try (leaks) {
            leaks.watchFile(dir.resolve("audit.jsonl"));
            resolved = StartupResolution.resolve(dir.resolve("rotor.yaml"), props, new PrintStream(out, true, StandardCharsets.UTF_8));
            System.out.print(out.toString(StandardCharsets.UTF_8));
        }
        leaks.assertNoLeaks();

        assertThat(resolved).containsOnlyKeys("db.user", "db.password", "api.key");
        assertThat(resolved.get("db.password").asUtf8()).isEqualTo(canary.text());
        assertThat(resolved.get("db.user").asUtf8()).isEqualTo("app");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("db.password <- secret://main/db/app#password (version ")
                .doesNotContain("server.port");
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(3);
    }

    @Test
    void aMissingSecretNamesItsPath() throws Exception {
        MasterKey.generate().writeNew(dir.resolve("master.key"));
        Files.writeString(dir.resolve("rotor.yaml"), """
                stores:
                  main:
                    type: local
                    path: ./store
                    keyFile: ./master.key
                """);
        Properties props = new Properties();
        props.setProperty("db.password", "secret://main/db/missing#password");
        assertThatThrownBy(() -> StartupResolution.resolve(dir.resolve("rotor.yaml"), props, System.out))
                .isInstanceOf(SecretNotFoundException.class)
                .hasMessageContaining("db/missing");
    }
}
