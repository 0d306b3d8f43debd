package dev.rotor.daemon.internal;

import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Stands for a configured store while a configuration is checked offline: rotator providers may
 * look a store up by name, but nothing may use it.
 */
public record UnopenedStore(String name) implements SecretStore {

    private static IllegalStateException unopened(String name) {
        return new IllegalStateException("store '" + name + "' is not opened while a configuration is validated");
    }

    @Override
    public Capabilities capabilities() {
        throw unopened(name);
    }

    @Override
    public Secret get(String path, Selector selector) {
        throw unopened(name);
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        throw unopened(name);
    }

    @Override
    public List<VersionInfo> versions(String path) {
        throw unopened(name);
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        throw unopened(name);
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        throw unopened(name);
    }

    @Override
    public List<String> list(String prefix) {
        throw unopened(name);
    }

    @Override
    public void delete(String path) {
        throw unopened(name);
    }

    @Override
    public Health health() {
        return Health.down("not opened", Duration.ZERO);
    }

    @Override
    public void close() {}
}
