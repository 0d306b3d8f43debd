package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Runs {@link RotatorContract} against rotators that are wrong on purpose, each in one way, and
 * checks that exactly the cases covering that behaviour fail. The broken contracts are nested
 * classes, so the build does not run them on their own.
 */
class BrokenRotatorsFailTheContractTest {

    @Test
    void aCorrectRotatorPassesEveryCase() {
        JUnitRun run = JUnitRun.of(Correct.class);

        assertThat(run.failedMethods()).as(run.describe()).isEmpty();
        assertThat(run.passedMethods()).isEqualTo(contractCases());
    }

    @Test
    void aRollbackThatDoesNothingFailsTheRollbackCases() {
        assertOnlyTheseFail(RollbackDoesNothing.class, "everyStepIsIdempotent", "aForcedVerifyFailureRollsBack");
    }

    @Test
    void anApplyThatFailsTheSecondTimeFailsTheIdempotenceAndCrashCases() {
        assertOnlyTheseFail(ApplyNotIdempotent.class, "everyStepIsIdempotent", "aCrashBetweenAnyTwoStepsRecovers");
    }

    @Test
    void aRetireThatDoesNothingFailsTheEmergencyAndRetireCases() {
        assertOnlyTheseFail(RetireDoesNothing.class, "anEmergencyRetiresAtOnce", "anEmergencyThatCrashedAfterPromoteRetiresOnResume",
                "threeRotationsInARow");
    }

    @Test
    void aRotatorThatLogsThePasswordFailsEveryCase() {
        JUnitRun run = JUnitRun.of(LogsThePassword.class);

        assertThat(run.failedMethods()).as(run.describe()).isEqualTo(contractCases());
        assertThat(run.failureOf("threeRotationsInARow")).hasMessageContaining("a canary leaked")
                .hasMessageNotContaining("pw-");
    }

    private static void assertOnlyTheseFail(Class<?> broken, String... cases) {
        JUnitRun run = JUnitRun.of(broken);

        assertThat(run.failedMethods()).as(run.describe()).containsExactlyInAnyOrder(cases);
        Set<String> rest = contractCases();
        rest.removeAll(Set.of(cases));
        assertThat(run.passedMethods()).isEqualTo(rest);
    }

    private static Set<String> contractCases() {
        return Arrays.stream(RotatorContract.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static class Correct extends FakeLoginContractTest.Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.SINGLE_USER;
        }
    }

    static class RollbackDoesNothing extends FakeLoginContractTest.Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.SINGLE_USER;
        }

        @Override
        FakeLogin.Flaw flaw() {
            return FakeLogin.Flaw.ROLLBACK_DOES_NOTHING;
        }
    }

    static class ApplyNotIdempotent extends FakeLoginContractTest.Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.SINGLE_USER;
        }

        @Override
        FakeLogin.Flaw flaw() {
            return FakeLogin.Flaw.APPLY_NOT_IDEMPOTENT;
        }
    }

    static class RetireDoesNothing extends FakeLoginContractTest.Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.OVERLAP;
        }

        @Override
        FakeLogin.Flaw flaw() {
            return FakeLogin.Flaw.RETIRE_DOES_NOTHING;
        }
    }

    static class LogsThePassword extends FakeLoginContractTest.Base {
        @Override
        FakeLogin.Strategy strategy() {
            return FakeLogin.Strategy.SINGLE_USER;
        }

        @Override
        FakeLogin.Flaw flaw() {
            return FakeLogin.Flaw.LOGS_THE_PASSWORD;
        }
    }
}
