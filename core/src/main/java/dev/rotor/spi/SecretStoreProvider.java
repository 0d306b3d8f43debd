package dev.rotor.spi;

import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.SecretStore;
import java.util.List;

/**
 * A stateless factory for one kind of backend. {@link #validate} checks a configuration
 * without touching the network; {@link #open} makes a session. Register providers
 * explicitly with a {@link ProviderRegistry}.
 */
public interface SecretStoreProvider {

    /** The {@code type} this provider answers to in {@code rotor.yaml}, e.g. {@code local}. */
    String type();

    Capabilities capabilities();

    /** Every problem with the configuration, each naming its field; empty if it is valid. No I/O to the backend. */
    List<ConfigProblem> validate(StoreConfig config, StoreContext context);

    /**
     * Opens a session. Implementations call {@link #validate} first and throw
     * {@link dev.rotor.InvalidConfigurationException} listing every problem.
     */
    SecretStore open(StoreConfig config, StoreContext context);
}
