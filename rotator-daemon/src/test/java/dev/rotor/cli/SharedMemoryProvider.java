package dev.rotor.cli;

import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.SecretStore;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Test stand-in of type {@code shared}: in-memory stores that outlive one CLI run, so that a
 * test can put in one run and read in the next. {@code wrap} lets a test interpose on the
 * store (e.g. to move a stage concurrently).
 */
final class SharedMemoryProvider implements SecretStoreProvider {

    final Map<String, InMemorySecretStore> stores = new ConcurrentHashMap<>();
    UnaryOperator<SecretStore> wrap = UnaryOperator.identity();

    @Override
    public String type() {
        return "shared";
    }

    @Override
    public Capabilities capabilities() {
        return InMemorySecretStore.CAPABILITIES;
    }

    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        return config.settings().keySet().stream().map(k -> new ConfigProblem(config.fieldPath(k), "unknown setting")).toList();
    }

    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        InMemorySecretStore store = stores.computeIfAbsent(config.name(), n -> new InMemorySecretStore(n, context.clock()));
        return wrap.apply(new Uncloseable(store));
    }

    InMemorySecretStore store(String name) {
        return stores.get(name);
    }

    /** Keeps the shared store alive when one run closes its Rotor. */
    private static final class Uncloseable extends ForwardingSecretStore {
        Uncloseable(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public void close() {
            // shared across runs
        }
    }
}
