package dev.rotor.memory;

import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.SecretStore;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.util.ArrayList;
import java.util.List;

/** Provider of type {@code memory}: a store that lives as long as the process. It takes no settings. */
public final class InMemoryStoreProvider implements SecretStoreProvider {

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public Capabilities capabilities() {
        return InMemorySecretStore.CAPABILITIES;
    }

    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String key : config.settings().keySet()) {
            problems.add(new ConfigProblem(config.fieldPath(key), "unknown setting (a memory store takes none)"));
        }
        return problems;
    }

    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        dev.rotor.InvalidConfigurationException.throwIfAny(validate(config, context));
        return new InMemorySecretStore(config.name(), context.clock());
    }
}
