package dev.rotor.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.memory.InMemoryStoreProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    private final ProviderRegistry registry = ProviderRegistry.builder().register(new InMemoryStoreProvider()).build();

    @Test
    void duplicateTypesAreRefused() {
        assertThatThrownBy(() -> ProviderRegistry.builder()
                        .register(new InMemoryStoreProvider())
                        .register(new InMemoryStoreProvider()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'memory' is already registered");
    }

    @Test
    void unknownTypeNamesTheFieldAndKnownTypes() {
        assertThatThrownBy(() -> registry.open(new StoreConfig("main", "vaultt", Map.of()), StoreContext.system()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.main.type")
                .hasMessageContaining("unknown store type 'vaultt'")
                .hasMessageContaining("known: memory");
    }

    @Test
    void settingsProblemsAreAllListed() {
        assertThatThrownBy(() -> registry.open(new StoreConfig("main", "memory", Map.of("a", 1, "b", 2)), StoreContext.system()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(dev.rotor.ConfigProblem::field)
                        .containsExactlyInAnyOrder("stores.main.a", "stores.main.b"));
    }

    @Test
    void opensAValidStore() {
        try (SecretStore store = registry.open(new StoreConfig("main", "memory", Map.of()), StoreContext.system())) {
            assertThat(store.name()).isEqualTo("main");
        }
    }

    record Opts(String path, Integer port) {}

    @Test
    void binderNamesUnknownAndMistypedFields() {
        java.util.List<dev.rotor.ConfigProblem> problems = new java.util.ArrayList<>();
        ConfigBinder.bind(new StoreConfig("s", "x", Map.of("path", "p", "prot", 1)), Opts.class, problems);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("stores.s.prot");
            assertThat(p.message()).contains("unknown setting").contains("path").contains("port");
        });
        problems.clear();
        ConfigBinder.bind(new StoreConfig("s", "x", Map.of("path", "p", "port", "eighty")), Opts.class, problems);
        assertThat(problems).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("stores.s.port"));
    }
}
