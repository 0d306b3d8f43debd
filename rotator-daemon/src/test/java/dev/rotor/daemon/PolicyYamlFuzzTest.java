package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rotor.InvalidConfigurationException;
import java.nio.file.Path;

/**
 * Policy YAML loading never fails with anything but {@link InvalidConfigurationException}. Without
 * {@code JAZZER_FUZZ} this runs the seed corpus in {@code PolicyYamlFuzzTestInputs/policyYaml}; the
 * build's {@code fuzz} execution sets {@code JAZZER_FUZZ=1} and fuzzes for the given time.
 */
class PolicyYamlFuzzTest {

    private static final Path BASE = Path.of("/etc/rotor");
    private static final RotatorRegistry ROTATORS = RotatorRegistry.builtIn();
    private static final String HEAD = """
            stores: { main: { type: memory } }
            rotators: { key: { type: random-secret } }
            alerts: { routes: { ops: [ { type: webhook, url: "https://hooks.example/rotor", secretEnv: HOOK_KEY } ] } }
            """;

    @FuzzTest(maxDuration = "30s")
    void policyYaml(FuzzedDataProvider data) {
        boolean whole = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        // Either a whole file, or fuzzed policies and scheduler under a valid head (reaches deeper).
        String yaml = whole ? text : HEAD + text;
        Throwable thrown = catchThrowable(() -> DaemonConfig.parse(yaml, BASE, ROTATORS));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(InvalidConfigurationException.class);
            assertThat(((InvalidConfigurationException) thrown).problems()).isNotEmpty();
        }
    }
}
