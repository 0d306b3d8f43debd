package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.RotatorConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotorConfigSectionsTest {

    private static final Path BASE = Path.of("/etc/rotor");

    @Test
    void readsRotatorsAndHandsOverTheRawSections() {
        RotorConfig config = RotorConfig.parse("""
                stores:
                  main: { type: memory }
                rotators:
                  api-key: { type: random-secret, length: 50 }
                policies:
                  - name: api
                    ref: secret://main/api/key
                    rotator: api-key
                scheduler:
                  store: ram
                alerts:
                  renotify: 4h
                api:
                  listen: 127.0.0.1:8080
                """, BASE);

        assertThat(config.rotators()).containsOnlyKeys("api-key");
        assertThat(config.rotator("api-key")).isEqualTo(new RotatorConfig("api-key", "random-secret", Map.of("length", 50)));
        assertThat(config.section(RotorConfig.POLICIES)).isEqualTo(List.of(Map.of("name", "api", "ref", "secret://main/api/key", "rotator", "api-key")));
        assertThat(config.section(RotorConfig.SCHEDULER)).isEqualTo(Map.of("store", "ram"));
        assertThat(config.section(RotorConfig.ALERTS)).isEqualTo(Map.of("renotify", "4h"));
        assertThat(config.section(RotorConfig.API)).isEqualTo(Map.of("listen", "127.0.0.1:8080"));
        assertThatThrownBy(() -> config.section("stores")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void absentSectionsAreNull() {
        RotorConfig config = RotorConfig.parse("stores: { main: { type: memory } }", BASE);
        assertThat(config.rotators()).isEmpty();
        assertThat(config.section(RotorConfig.POLICIES)).isNull();
        assertThat(config.section(RotorConfig.API)).isNull();
    }

    @Test
    void reportsCoreProblemsAndTheCheckersTogether() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, () -> RotorConfig.parse("""
                stores:
                  main: { path: x }
                rotators:
                  -bad: { type: random-secret }
                  notype: { length: 3 }
                  listed: [1, 2]
                policies: []
                """, BASE, (config, problems) -> {
                    assertThat(config.section(RotorConfig.POLICIES)).isEqualTo(List.of());
                    problems.add(new ConfigProblem("policies", "at least one policy"));
                }));
        assertThat(e.problems()).containsExactly(
                new ConfigProblem("stores.main.type", "required: the provider type, e.g. local"),
                new ConfigProblem("rotators.-bad", "invalid rotator name: 1 to 63 of A-Z a-z 0-9 . _ -, not starting with . _ -"),
                new ConfigProblem("rotators.notype.type", "required: the rotator type, e.g. postgres-password"),
                new ConfigProblem("rotators.listed", "must be a mapping with at least 'type', found a list"),
                new ConfigProblem("policies", "at least one policy"));
    }
}
