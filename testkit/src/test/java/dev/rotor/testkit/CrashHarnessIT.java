package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.rotation.Step;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The harness against real child JVMs. */
class CrashHarnessIT {

    @Test
    void killsTheChildRightAfterTheChosenStep() {
        CrashHarness.Outcome o = CrashHarness.builder(CrashChild.class).build().killAfter(Step.APPLY);

        assertThat(o.killed()).isTrue();
        assertThat(o.exitCode()).as("exit code after SIGKILL").isEqualTo(137);
        assertThat(o.steps()).containsExactly(Step.PREPARE, Step.CREATE, Step.APPLY);
        assertThat(o.lines()).last().isEqualTo("PAUSED APPLY");
        assertThat(o.lines()).noneMatch(l -> l.startsWith("SUCCEEDED") || l.startsWith("RESULT"));
    }

    @Test
    void runsAChildWithoutAPausePointToItsEnd() {
        CrashHarness.Outcome o = CrashHarness.builder(CrashChild.class).build().run();

        assertThat(o.killed()).isFalse();
        assertThat(o.exitCode()).isZero();
        assertThat(o.steps()).containsExactly(Step.PREPARE, Step.CREATE, Step.APPLY, Step.VERIFY, Step.PROMOTE, Step.NOTIFY);
        assertThat(o.printed("RESULT Succeeded")).isTrue();
    }

    @Test
    void aChildThatEndsBeforeTheStepFailsTheTest() {
        CrashHarness harness = CrashHarness.builder(CrashChild.class).args("exit-early").timeout(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> harness.killAfter(Step.VERIFY))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ended (exit 0) before reaching VERIFY");
    }

    @Test
    void leavesAPausedChildAliveUntilKilled() {
        try (CrashHarness.Paused paused = CrashHarness.builder(CrashChild.class).build().pauseAfter(Step.CREATE)) {
            assertThat(ProcessHandle.of(paused.pid()).map(ProcessHandle::isAlive)).contains(true);
            assertThat(paused.lines()).endsWith("STEP CREATE", "PAUSED CREATE");

            CrashHarness.Outcome o = paused.kill();

            assertThat(o.exitCode()).isEqualTo(137);
            assertThat(ProcessHandle.of(paused.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }
}
