package dev.rotor.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.SecretResolver;
import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The resolution pass over an environment's property sources, without a Boot application:
 * precedence kept, one bulk read, {@code optional:} hiding, nothing replaced on failure, and
 * the DataSource credential check built on the origins it leaves.
 */
class EnvironmentSecretsTest {

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final InMemorySecretStore memory = new InMemorySecretStore("mem");
    private final AtomicInteger bulkReads = new AtomicInteger();
    private final SecretResolver resolver = SecretResolver.of(new ForwardingSecretStore(memory) {
        @Override
        public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
            bulkReads.incrementAndGet();
            return super.getAll(paths, selector);
        }
    });
    private final StandardEnvironment environment = new StandardEnvironment();
    private Canary password;

    @BeforeEach
    void secrets() {
        password = leaks.canary();
        memory.put("db/app", SecretValue.ofFields(Map.of("username", "app", "password", password.text())), PutOptions.current());
        memory.put("db/other", SecretValue.ofFields(Map.of("username", "other", "password", "x")), PutOptions.current());
    }

    private void add(String name, Map<String, Object> properties) {
        environment.getPropertySources().addLast(new MapPropertySource(name, properties));
    }

    @Test
    void resolvesInOneBulkReadAndKeepsThePrecedenceOfSources() {
        add("high", Map.of("app.user", "plain"));
        add("low", Map.of(
                "app.user", "secret://mem/db/app#username",
                "app.password", "secret://mem/db/app#password",
                "app.feature", "optional:secret://mem/feature/none",
                "app.other", "kept"));
        PropertySource<?> original = environment.getPropertySources().get("low");

        int count = EnvironmentSecrets.resolve(environment, resolver);

        assertThat(count).isEqualTo(3);
        assertThat(bulkReads).hasValue(1);
        assertThat(environment.getProperty("app.user")).as("a source of higher precedence still wins").isEqualTo("plain");
        assertThat(environment.getProperty("app.password")).isEqualTo(password.text());
        assertThat(environment.containsProperty("app.feature")).isFalse();
        assertThat(environment.getProperty("app.other")).isEqualTo("kept");
        PropertySource<?> low = environment.getPropertySources().get("low");
        assertThat(low).isInstanceOf(ResolvedPropertySource.class);
        assertThat(low.getSource()).as("the original, holding refs only").isSameAs(original);
        assertThat(((ResolvedPropertySource) low).getPropertyNames()).containsExactlyInAnyOrder("app.user", "app.password", "app.other");
        assertThat(low.toString()).contains("app.password").doesNotContain(password.text());
        assertThat(environment.getPropertySources().get("high")).isInstanceOf(MapPropertySource.class);
    }

    @Test
    void aFailedPassReplacesNothing() {
        add("app", Map.of("app.password", "secret://mem/db/app#password", "app.token", "secret://mem/api/none"));
        PropertySource<?> original = environment.getPropertySources().get("app");

        assertThatThrownBy(() -> EnvironmentSecrets.resolve(environment, resolver))
                .isInstanceOfSatisfying(SecretResolutionException.class, e -> assertThat(e.unresolved()).singleElement()
                        .satisfies(u -> assertThat(u.location()).startsWith("app.token (property source 'app')")));
        assertThat(environment.getPropertySources().get("app")).isSameAs(original);
    }

    @Test
    void aSecondPassLeavesResolvedSourcesAlone() {
        add("app", Map.of("app.password", "secret://mem/db/app#password"));
        EnvironmentSecrets.resolve(environment, resolver);

        assertThat(EnvironmentSecrets.resolve(environment, resolver)).isZero();
        assertThat(bulkReads).hasValue(1);
    }

    @Test
    void dataSourceCredentialsQualifyOnlyAsTwoFieldsOfOneSecretFollowingCurrent() {
        add("app", Map.of(
                "spring.datasource.username", "secret://mem/db/app#username",
                "spring.datasource.password", "secret://mem/db/app#password"));
        add("two-secrets", Map.of(
                "other.username", "secret://mem/db/other#username",
                "pinned.username", "secret://mem/db/app?stage=current#username"));
        EnvironmentSecrets.resolve(environment, resolver);

        assertThat(DataSourceCredentialRefs.of(environment)).isEqualTo(new DataSourceCredentialRefs.Found(
                new DataSourceCredentialRefs(dev.rotor.SecretRef.parse("secret://mem/db/app"), "username", "password")));

        environment.getPropertySources().addFirst(new MapPropertySource("plain-user", Map.of("spring.datasource.username", "app")));
        assertThat(DataSourceCredentialRefs.of(environment)).isInstanceOfSatisfying(DataSourceCredentialRefs.NotFound.class,
                n -> assertThat(n.reason()).contains("spring.datasource.username is not a secret:// reference"));

        environment.getPropertySources().remove("plain-user");
        environment.getPropertySources().addFirst(new MapPropertySource("no-password", Map.of("spring.datasource.password", "x")));
        assertThat(DataSourceCredentialRefs.of(environment)).isInstanceOfSatisfying(DataSourceCredentialRefs.NotFound.class,
                n -> assertThat(n.reason()).contains("spring.datasource.password is not a secret:// reference"));
    }
}
