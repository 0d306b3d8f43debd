package dev.rotor.spring;

import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Starting real Boot applications (no web server) in tests. */
final class BootApps {

    private BootApps() {}

    /** An application with no beans of its own and no auto-configuration. */
    @SpringBootConfiguration
    static class Empty {}

    /** Runs {@code source} with these command-line arguments and these environment variables in place of the process's. */
    static ConfigurableApplicationContext run(Class<?> source, Map<String, Object> environmentVariables, String... args) {
        StandardEnvironment environment = new StandardEnvironment() {
            @Override
            protected void customizePropertySources(MutablePropertySources sources) {
                super.customizePropertySources(sources);
                sources.replace(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environmentVariables));
            }
        };
        return new SpringApplicationBuilder(source)
                .web(WebApplicationType.NONE)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF)
                .environment(environment)
                .run(args);
    }

    static ConfigurableApplicationContext run(Class<?> source, String... args) {
        return run(source, Map.of(), args);
    }
}
