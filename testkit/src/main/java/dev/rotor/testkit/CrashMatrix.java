package dev.rotor.testkit;

import dev.rotor.rotation.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The cases of a crash test with {@link CrashHarness}: where a rotation run is killed. Stateless. */
public final class CrashMatrix {

    /** The steps a run can be killed after: each step of a run up to NOTIFY (RETIRE comes later, in its own run). */
    public static final List<Step> KILL_POINTS = List.of(Step.PREPARE, Step.CREATE, Step.APPLY, Step.VERIFY, Step.PROMOTE, Step.NOTIFY);

    private CrashMatrix() {}

    /**
     * For each strategy, {@code (strategy, step, false)} for every one of {@link #KILL_POINTS}, then
     * {@code (strategy, NOTIFY, true)}: an emergency run killed between NOTIFY and its RETIRE, whose
     * resume must still revoke the old credential.
     */
    public static Stream<Arguments> withEmergency(List<?> strategies) {
        List<Arguments> out = new ArrayList<>();
        for (Object strategy : strategies) {
            for (Step step : KILL_POINTS) {
                out.add(Arguments.of(strategy, step, false));
            }
            out.add(Arguments.of(strategy, Step.NOTIFY, true));
        }
        return out.stream();
    }
}
