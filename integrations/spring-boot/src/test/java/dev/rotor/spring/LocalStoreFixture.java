package dev.rotor.spring;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.local.LocalSecretStore;
import dev.rotor.local.MasterKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** A local encrypted store named {@code main} in a directory, and the {@code rotor.yaml} that opens it. */
final class LocalStoreFixture {

    private final Path dir;

    LocalStoreFixture(Path dir) {
        this.dir = dir;
        MasterKey.generate().writeNew(dir.resolve("master.key"));
        write("rotor.yaml", """
                stores:
                  main:
                    type: local
                    path: ./store
                    keyFile: ./master.key
                """);
    }

    Path rotorYaml() {
        return dir.resolve("rotor.yaml");
    }

    Path dir() {
        return dir;
    }

    /** Writes a CURRENT version; the store is closed again before the application opens it. */
    LocalStoreFixture put(String path, SecretValue value) {
        try (LocalSecretStore store = LocalSecretStore.open("main", dir.resolve("store"), MasterKey.read(dir.resolve("master.key")),
                Clock.systemUTC())) {
            store.put(path, value, PutOptions.current());
        }
        return this;
    }

    LocalStoreFixture put(String path, Map<String, String> fields) {
        return put(path, SecretValue.ofFields(fields));
    }

    Path write(String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
