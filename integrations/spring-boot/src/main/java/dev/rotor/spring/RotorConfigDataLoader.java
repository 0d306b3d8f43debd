package dev.rotor.spring;

import dev.rotor.Rotor;
import dev.rotor.config.RotorConfig;
import dev.rotor.spi.ProviderRegistry;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.core.env.MapPropertySource;

/**
 * Opens the {@link Rotor} of an imported configuration file, once per application start, and
 * keeps it in Boot's bootstrap context; {@link RotorSecretsEnvironmentPostProcessor} then
 * resolves the {@code secret://} values of the whole environment against it.
 *
 * <p>The store providers are the {@link ProviderRegistry} registered in the bootstrap registry,
 * or else {@link RotorProviders#detected}. The property source it contributes, named
 * {@code rotor:<file>}, holds only {@code rotor.config-file} and {@code rotor.stores}: no value.
 *
 * <p>Stateless and thread-safe.
 */
public final class RotorConfigDataLoader implements ConfigDataLoader<RotorConfigDataResource> {

    private static final Logger LOG = LoggerFactory.getLogger(RotorConfigDataLoader.class);

    @Override
    public ConfigData load(ConfigDataLoaderContext context, RotorConfigDataResource resource) {
        ConfigDataResourceNotFoundException.throwIfDoesNotExist(resource, resource.configFile());
        ConfigurableBootstrapContext bootstrap = context.getBootstrapContext();
        RotorHolder holder;
        if (bootstrap.isRegistered(RotorHolder.class)) {
            holder = bootstrap.get(RotorHolder.class);
            if (!holder.configFile().equals(resource.configFile())) {
                throw new IllegalStateException("spring.config.import names two Rotor configurations, " + holder.configFile()
                        + " and " + resource.configFile() + ": an application uses one");
            }
        } else {
            ProviderRegistry providers = bootstrap.isRegistered(ProviderRegistry.class) ? bootstrap.get(ProviderRegistry.class)
                    : RotorProviders.detected(RotorConfigDataLoader.class.getClassLoader());
            Rotor rotor = Rotor.open(RotorConfig.load(resource.configFile()), providers);
            holder = new RotorHolder(resource.configFile(), rotor);
            bootstrap.register(RotorHolder.class, InstanceSupplier.of(holder));
            bootstrap.addCloseListener(holder::handOver);
            LOG.debug("opened Rotor stores {} from {}", rotor.storeNames(), resource.configFile());
        }
        Map<String, Object> info = Map.of(
                "rotor.config-file", holder.configFile().toString(),
                "rotor.stores", String.join(",", holder.rotor().storeNames()));
        return new ConfigData(List.of(new MapPropertySource("rotor:" + holder.configFile(), info)));
    }
}
