package dev.rotor.spring;

import dev.rotor.resolve.SecretResolver;
import java.util.List;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Right after Boot has loaded the configuration files and imports, resolves every
 * {@code secret://} value of the environment in one pass against the {@link dev.rotor.Rotor}
 * that {@code spring.config.import=rotor:} opened. Does nothing if no Rotor configuration was
 * imported (then it warns if values look like references).
 *
 * <p>If a reference cannot be resolved, the start fails with one
 * {@link dev.rotor.resolve.SecretResolutionException} naming every failed reference (see
 * {@link SecretResolutionFailureAnalyzer}), and the Rotor is closed.
 */
public final class RotorSecretsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** Just after {@link ConfigDataEnvironmentPostProcessor}, before anything reads the values. */
    public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

    private final Log log;
    private final ConfigurableBootstrapContext bootstrap;

    public RotorSecretsEnvironmentPostProcessor(DeferredLogFactory logs, ConfigurableBootstrapContext bootstrap) {
        this.log = logs.getLog(RotorSecretsEnvironmentPostProcessor.class);
        this.bootstrap = bootstrap;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!bootstrap.isRegistered(RotorHolder.class)) {
            List<String> names = EnvironmentSecrets.refNames(environment);
            if (!names.isEmpty()) {
                log.warn("properties " + names + " hold secret:// references, but no Rotor configuration was imported"
                        + " (spring.config.import=rotor:): they stay unresolved");
            }
            return;
        }
        RotorHolder holder = bootstrap.get(RotorHolder.class);
        try {
            int count = EnvironmentSecrets.resolve(environment, SecretResolver.of(holder.rotor()));
            log.debug("resolved " + count + " secret:// properties with the stores of " + holder.configFile());
        } catch (RuntimeException e) {
            holder.closeIfNotHandedOver();
            throw e;
        }
    }
}
