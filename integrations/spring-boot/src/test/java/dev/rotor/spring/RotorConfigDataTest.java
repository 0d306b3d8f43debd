package dev.rotor.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.UnresolvedRef;
import dev.rotor.resolve.UnresolvedRef.Reason;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.bootstrap.BootstrapRegistry;
import org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * {@code spring.config.import=rotor:} in real Boot applications against a local encrypted store:
 * {@code secret://} values from a config file, the command line and the environment resolve in
 * one pass; a bad start names every failure; no value shows anywhere.
 */
class RotorConfigDataTest {

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    @TempDir
    Path dir;

    private LocalStoreFixture store;
    private Canary password;
    private Canary token;

    @BeforeEach
    void secrets() {
        password = leaks.canary();
        token = leaks.canary();
        store = new LocalStoreFixture(dir)
                .put("db/app", Map.of("username", "app", "password", password.text()))
                .put("api/token", token.value());
    }

    @Test
    void resolvesEveryReferenceInTheFileTheCommandLineAndTheEnvironment() {
        Path appYaml = store.write("app.yaml", """
                spring.config.import: rotor:%s
                app:
                  db-user: secret://main/db/app#username
                  db-password: secret://main/db/app#password
                  feature-key: optional:secret://main/feature/missing
                  timeout: secret://main/app/timeout|default:30
                  plain: hello
                """.formatted(store.rotorYaml()));

        try (ConfigurableApplicationContext ctx = BootApps.run(BootApps.Empty.class, Map.of("APP_ENV_TOKEN", "secret://main/api/token"),
                "--spring.config.additional-location=file:" + appYaml, "--app.cli-token=secret://main/api/token")) {
            ConfigurableEnvironment env = ctx.getEnvironment();

            assertThat(env.getProperty("app.db-user")).isEqualTo("app");
            assertThat(env.getProperty("app.db-password")).isEqualTo(password.text());
            assertThat(env.getProperty("app.cli-token")).isEqualTo(token.text());
            assertThat(env.getProperty("app.env-token")).as("APP_ENV_TOKEN, relaxed").isEqualTo(token.text());
            assertThat(env.getProperty("app.timeout")).as("the default of a missing secret").isEqualTo("30");
            assertThat(env.containsProperty("app.feature-key")).as("an absent optional ref is left out").isFalse();
            assertThat(env.getProperty("app.plain")).isEqualTo("hello");

            assertThat(SecretRefOrigin.lookup(env, "app.db-password")).hasValueSatisfying(o -> {
                assertThat(o.ref().format()).isEqualTo("secret://main/db/app#password");
                assertThat(String.valueOf(o.getParent())).contains("app.yaml");
            });
            assertThat(SecretRefOrigin.lookup(env, "app.env-token")).map(o -> o.ref().format()).hasValue("secret://main/api/token");
            assertThat(SecretRefOrigin.lookup(env, "app.plain")).isEmpty();
            assertThat(SecretRefOrigin.lookup(env, "app.unset")).isEmpty();

            // Property sources are printed in debug logs and by diagnostics: refs, never values.
            for (PropertySource<?> source : env.getPropertySources()) {
                assertThat(source.toString()).doesNotContain(password.text(), token.text());
            }
            assertThat(env.getPropertySources().get("systemEnvironment").toString()).contains("APP_ENV_TOKEN");
            assertThat(ctx.getBean(Rotor.class).storeNames()).containsExactly("main");
            assertThat(env.getProperty("rotor.stores")).isEqualTo("main");
        }
    }

    @Test
    void theRotorBeanIsClosedWithTheContext() {
        ConfigurableApplicationContext ctx = BootApps.run(BootApps.Empty.class, "--spring.config.import=rotor:" + store.rotorYaml(),
                "--app.password=secret://main/db/app#password");
        Rotor rotor = ctx.getBean(Rotor.class);
        ctx.close();

        assertThatThrownBy(rotor::storeNames).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badReferencesFailTheStartNamingEveryOneAndNoValue() {
        // Boot itself prints a loaded file at DEBUG, so a default written there cannot be a canary.
        String fallback = "fallback-text-for-tests";
        Path appYaml = store.write("app.yaml", """
                spring.config.import: rotor:%s
                app:
                  good: secret://main/db/app#password
                  typo: secret://main/db/app#pasword
                  missing: secret://main/db/other#password
                  elsewhere: secret://vault/db/app|default:%s
                  broken: secret://main/
                """.formatted(store.rotorYaml(), fallback));
        ListAppender<ILoggingEvent> report = capture(LoggingFailureAnalysisReporter.class);

        assertThatThrownBy(() -> BootApps.run(BootApps.Empty.class, "--spring.config.additional-location=file:" + appYaml))
                .isInstanceOfSatisfying(SecretResolutionException.class, e -> {
                    assertThat(e.unresolved()).extracting(u -> u.location().substring(0, u.location().indexOf(' ')))
                            .containsExactlyInAnyOrder("app.typo", "app.missing", "app.elsewhere", "app.broken");
                    assertThat(e.unresolved()).extracting(UnresolvedRef::reason)
                            .containsExactlyInAnyOrder(Reason.NO_SUCH_FIELD, Reason.NOT_FOUND, Reason.UNKNOWN_STORE, Reason.INVALID_REF);
                    assertThat(e.unresolved()).allSatisfy(u -> assertThat(u.location()).contains("app.yaml"));
                    assertThat(e.getMessage()).doesNotContain(password.text(), fallback);
                });

        String logged = report.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
        assertThat(logged).contains("APPLICATION FAILED TO START", "4 secret references",
                "Reference: secret://main/db/app#pasword", "Reason: UNKNOWN_STORE", "optional:secret://");
    }

    @Test
    void anOptionalImportWithoutItsFileLeavesTheReferencesAsText() {
        try (ConfigurableApplicationContext ctx = BootApps.run(BootApps.Empty.class,
                "--spring.config.import=optional:rotor:" + dir.resolve("absent.yaml"), "--app.password=secret://main/db/app#password")) {
            assertThat(ctx.getEnvironment().getProperty("app.password")).isEqualTo("secret://main/db/app#password");
            assertThat(ctx.containsBean("rotor")).isFalse();
        }
    }

    @Test
    void aMissingRotorConfigurationFailsTheStart() {
        assertThatThrownBy(() -> BootApps.run(BootApps.Empty.class, "--spring.config.import=rotor:" + dir.resolve("absent.yaml")))
                .hasMessageContaining("absent.yaml");
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> loggerOf) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(loggerOf)).addAppender(appender);
        return appender;
    }

    @Test
    void theProviderRegistryOfTheBootstrapRegistryIsTheOneUsed() {
        store.write("memory.yaml", """
                stores:
                  main:
                    type: memory
                """);
        SpringApplication app = new SpringApplication(BootApps.Empty.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.addBootstrapRegistryInitializer(registry -> registry.register(ProviderRegistry.class,
                BootstrapRegistry.InstanceSupplier.of(ProviderRegistry.builder().register(new LocalStoreProvider()).build())));

        assertThatThrownBy(() -> app.run("--spring.config.import=rotor:" + dir.resolve("memory.yaml")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unknown store type 'memory' (known: local)");
    }

    /** Takes the Rotor bean, then fails the refresh. */
    @SpringBootConfiguration
    static class FailingApp {
        static final AtomicReference<Rotor> SEEN = new AtomicReference<>();

        @Bean
        String failing(Rotor rotor) {
            SEEN.set(rotor);
            throw new IllegalStateException("this bean always fails");
        }
    }

    @Test
    void theRotorIsClosedWhenTheContextFailsToStart() {
        assertThatThrownBy(() -> BootApps.run(FailingApp.class, "--spring.config.import=rotor:" + store.rotorYaml()))
                .hasStackTraceContaining("this bean always fails");

        assertThat(FailingApp.SEEN.get()).isNotNull();
        assertThatThrownBy(FailingApp.SEEN.get()::storeNames).isInstanceOf(IllegalStateException.class);
    }
}
