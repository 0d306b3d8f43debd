package dev.rotor.spi;

import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A store that passes every call to another; subclass it to observe or change one operation
 * (a test double, a custom decorator). Thread-safe if the delegate is.
 */
public class ForwardingSecretStore implements SecretStore {

    protected final SecretStore delegate;

    public ForwardingSecretStore(SecretStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public Secret get(String path, Selector selector) {
        return delegate.get(path, selector);
    }

    @Override
    public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        return delegate.getAll(paths, selector);
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        return delegate.put(path, value, options);
    }

    @Override
    public List<VersionInfo> versions(String path) {
        return delegate.versions(path);
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        return delegate.promote(path, versionId, expectedCurrentVersionId);
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        delegate.moveStage(path, stage, versionId, expectedVersionId);
    }

    @Override
    public List<String> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public void delete(String path) {
        delegate.delete(path);
    }

    @Override
    public Health health() {
        return delegate.health();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
