package dev.rotor.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.daemon.DaemonConfig;
import dev.rotor.daemon.Policy;
import dev.rotor.daemon.RotatorRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration the demo writes passes the daemon's own validation, with the intervals the demo relies on. */
class DaemonDemoTest {

    @TempDir
    Path dir;

    @Test
    void theDemoConfigurationIsValidAndRotatesEachSecretSeveralTimesAMinute() throws Exception {
        Path file = dir.resolve("rotor.yaml");
        Files.writeString(file, DaemonDemo.rotorYaml(54321));

        DaemonConfig config = DaemonConfig.load(file, RotatorRegistry.builtIn());

        Map<String, Policy> policies = config.policies().stream().collect(Collectors.toMap(Policy::name, p -> p));
        assertThat(policies).containsOnlyKeys("app-db", "token-signing", "partner-api-key");
        // The demo checks for two rotations or more of each secret in its minute; the database
        // password's first comes one interval after the demo stores it.
        assertThat(policies.values()).allSatisfy(p -> {
            assertThat(p.interval()).isLessThanOrEqualTo(Duration.ofSeconds(25));
            assertThat(p.grace()).isLessThan(p.interval());
        });
        assertThat(policies.get("app-db").interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.rotor().stores()).containsOnlyKeys("main");
        assertThat(Files.readString(file)).contains("real: 90d").contains("real: 180d").contains("port: 54321");
    }
}
