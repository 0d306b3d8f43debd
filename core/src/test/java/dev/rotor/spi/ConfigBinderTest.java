package dev.rotor.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {

    record Inner(String method) {}

    record Outer(String address, Inner auth) {}

    private static List<ConfigProblem> bind(Map<String, Object> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        ConfigBinder.bind(new StoreConfig("main", "x", settings), Outer.class, problems);
        return problems;
    }

    @Test
    void anUnknownTopLevelSettingIsNamed() {
        assertThat(bind(Map.of("adress", "a"))).singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("stores.main.adress"))
                .satisfies(p -> assertThat(p.message()).contains("unknown setting").contains("address"));
    }

    @Test
    void anUnknownNestedSettingIsNamedWithItsFullPath() {
        assertThat(bind(Map.of("auth", Map.of("metod", "token")))).singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("stores.main.auth.metod"))
                .satisfies(p -> assertThat(p.message()).contains("method"));
    }

    @Test
    void aNestedValueOfTheWrongTypeIsNamedWithItsFullPath() {
        assertThat(bind(Map.of("auth", Map.of("method", List.of(1))))).extracting(ConfigProblem::field)
                .containsExactly("stores.main.auth.method");
    }
}
