package dev.rotor.spring;

import dev.rotor.Rotor;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.bootstrap.BootstrapContextClosedEvent;
import org.springframework.context.ConfigurableApplicationContext;

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
        if (!(context.getBeanFactory() instanceof BeanDefinitionRegistry registry)) {
            throw new IllegalStateException("cannot register the Rotor bean in " + context.getBeanFactory().getClass().getName());
        }
        RootBeanDefinition definition = new RootBeanDefinition(Rotor.class, () -> rotor);
        definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
        registry.registerBeanDefinition(BEAN_NAME, definition);
    }

    /** Closes the Rotor if no application context took it over (the start failed before that). */
    void closeIfNotHandedOver() {
        if (handedOver.compareAndSet(false, true)) {
            rotor.close();
        }
    }
}
