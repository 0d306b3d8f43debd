package dev.rotor.spring;

import dev.rotor.Rotor;
import dev.rotor.watch.SecretWatcher;
import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@link SecretWatcher} that keeps what an application resolved at startup following
 * rotation, over the {@link Rotor} bean that {@code spring.config.import=rotor:} provides.
 *
 * <p>{@code rotor.watch.enabled} ({@code true} by default) and
 * {@code rotor.watch.poll-interval} ({@code 30s} by default) configure it; an application's own
 * {@code SecretWatcher} bean replaces it.
 */
@AutoConfiguration
@ConditionalOnBean(Rotor.class)
public class RotorAutoConfiguration {

    /** How often the watcher polls when {@code rotor.watch.poll-interval} is not set. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "rotor.watch.enabled", matchIfMissing = true)
    SecretWatcher rotorSecretWatcher(Rotor rotor, Environment environment) {
        Duration poll = Binder.get(environment).bind("rotor.watch.poll-interval", Duration.class).orElse(DEFAULT_POLL_INTERVAL);
        return SecretWatcher.builder(rotor).pollInterval(poll).build();
    }
}
