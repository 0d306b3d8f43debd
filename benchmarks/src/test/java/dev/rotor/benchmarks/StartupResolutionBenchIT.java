package dev.rotor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.peer.Peers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link StartupResolutionBench} against a real moto server, with few refs and rounds: every
 * side of every measured round read all the secrets (the harness refuses a pass that read
 * fewer), and each side has one timing per round. Measures nothing.
 */
class StartupResolutionBenchIT {

    @BeforeAll
    static void motoIsInstalled() {
        // Skipped with a reason on a developer's machine without moto; a failure with CI=true.
        Peers.require("moto", Peers.commandFails(Duration.ofSeconds(20), "python3", "-c", "import moto.server"));
    }

    @Test
    void everySideReadsEverySecretInEveryRound() throws Exception {
        StartupResolutionBench.Result r;
        try (MotoServer moto = MotoServer.start()) {
            // 45 refs: three BatchGetSecretValue calls per pass (20 + 20 + 5)
            r = StartupResolutionBench.run(moto, 45, 1, 3);
        }

        assertThat(r.refs()).isEqualTo(45);
        for (StartupResolutionBench.Timings t : List.of(r.oneByOne(), r.batch(), r.resolver(), r.unaudited())) {
            assertThat(t.nanos()).as(t.name()).hasSize(3).doesNotContain(0L);
            assertThat(t.line()).startsWith(t.name()).contains("median", "p90");
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeMotoIsTouched() {
        assertThatThrownBy(() -> StartupResolutionBench.run(null, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
