package dev.rotor.spring;

import dev.rotor.Rotor;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.bootstrap.BootstrapContextClosedEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * The {@link Rotor} an import opened, kept in Boot's bootstrap context while the environment is
 * prepared and then handed to the application context as the bean {@value #BEAN_NAME}, which
 * closes it when the context closes.
 */
final class RotorHolder {

    static final String BEAN_NAME = "rotor";

    private final Path configFile;
    private final Rotor rotor;
    private final AtomicBoolean handedOver = new AtomicBoolean();

    RotorHolder(Path configFile, Rotor rotor) {
        this.configFile = configFile;
        this.rotor = rotor;
    }

    Path configFile() {
        return configFile;
    }

    Rotor rotor() {
        return rotor;
    }

    /** Registers the Rotor as a bean of the new application context. */
    void handOver(BootstrapContextClosedEvent event) {
        if (!handedOver.compareAndSet(false, true)) {
            return;
        }
        ConfigurableApplicationContext context = event.getApplicationContext();
        ConfigurableListableBeanFactory beans = context.getBeanFactory();
        beans.registerSingleton(BEAN_NAME, rotor);
        // A ready instance, closed with the other singletons, also when the refresh fails half-way.
        if (beans instanceof DefaultSingletonBeanRegistry registry) {
            registry.registerDisposableBean(BEAN_NAME, rotor::close);
        } else {
            context.addApplicationListener((ContextClosedEvent closed) -> rotor.close());
        }
    }

    /** Closes the Rotor if no application context took it over (the start failed before that). */
    void closeIfNotHandedOver() {
        if (handedOver.compareAndSet(false, true)) {
            rotor.close();
        }
    }
}
