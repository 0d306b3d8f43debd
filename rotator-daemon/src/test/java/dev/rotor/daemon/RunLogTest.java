package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.SecretRef;
import dev.rotor.api.RunSummary;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.Step;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunLogTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private static RotationEvent.Started started(String run, String path, boolean emergency, String reason) {
        return new RotationEvent.Started(run, "main", path, T0, "random-secret", "1", "1", emergency, reason, "apikey:ops", null);
    }

    @Test
    void anEmergencyRunStaysSucceededThroughItsRetireStep() {
        RunLog log = new RunLog(10);
        log.onEvent(started("r1", "db/app", true, "leaked"));
        log.onEvent(new RotationEvent.StepCompleted("r1", "main", "db/app", T0.plusSeconds(1), "random-secret", "1", "1", Step.APPLY, "2"));
        log.onEvent(new RotationEvent.Succeeded("r1", "main", "db/app", T0.plusSeconds(2), "random-secret", "1", "2", true, false));
        log.onEvent(new RotationEvent.Retired("r1", "main", "db/app", T0.plusSeconds(3), "random-secret", "1", "2", "1", "emergency: leaked"));
        log.onEvent(new RotationEvent.StepCompleted("r1", "main", "db/app", T0.plusSeconds(3), "random-secret", "1", "2", Step.RETIRE, null));

        assertThat(log.recent(10)).containsExactly(new RunSummary("r1", SecretRef.of("main", "db/app"), "succeeded", true, "apikey:ops",
                "leaked", T0, T0.plusSeconds(2), "RETIRE", null));
    }

    @Test
    void aFailedRunNamesItsStepAndErrorType() {
        RunLog log = new RunLog(10);
        log.onEvent(started("r1", "db/app", false, "scheduled"));
        log.onEvent(new RotationEvent.Failed("r1", "main", "db/app", T0.plusSeconds(1), "random-secret", "1", "1", Step.VERIFY,
                "java.sql.SQLException", true, null));

        RunSummary run = log.recent(1).get(0);
        assertThat(run.outcome()).isEqualTo("failed");
        assertThat(run.step()).isEqualTo("VERIFY");
        assertThat(run.message()).isEqualTo("java.sql.SQLException");
        assertThat(run.ended()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void keepsTheNewestRunsUpToItsCapacityNewestFirst() {
        RunLog log = new RunLog(3);
        for (int i = 1; i <= 5; i++) {
            log.onEvent(started("r" + i, "p" + i, false, "scheduled"));
        }

        assertThat(log.recent(10)).extracting(RunSummary::runId).containsExactly("r5", "r4", "r3");
        assertThat(log.recent(2)).extracting(RunSummary::runId).containsExactly("r5", "r4");
        assertThatThrownBy(() -> new RunLog(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
