package dev.rotor.testkit;

import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationListener;
import dev.rotor.rotation.Step;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The child's half of {@link CrashHarness}: a {@link RotationListener} that prints one line per
 * rotation event to standard output and, right after the step named by the system property
 * {@value #PAUSE_PROPERTY}, prints {@code PAUSED <step>} and blocks for good, so that the parent
 * kills the process at exactly that point.
 *
 * <p>Lines: {@code STARTED <runId> <resumedAt|->}, {@code STEP <step>}, {@code SUCCEEDED <runId>
 * <currentVersionId>}, {@code FAILED <step> <rolledBack>}, {@code ROLLED_BACK <step>},
 * {@code RETIRED <versionId>}. They carry ids and steps only, never a value.
 */
public final class StepPrinter implements RotationListener {

    /** The system property naming the step after which the child pauses (absent: never). */
    public static final String PAUSE_PROPERTY = "rotor.crash.after";

    private final PrintStream out;
    private final @Nullable Step pauseAfter;

    public StepPrinter(PrintStream out, @Nullable Step pauseAfter) {
        this.out = Objects.requireNonNull(out, "out");
        this.pauseAfter = pauseAfter;
    }

    /** Prints to {@code System.out} and pauses after the step named by {@value #PAUSE_PROPERTY}, if set. */
    public static StepPrinter fromSystemProperty() {
        String s = System.getProperty(PAUSE_PROPERTY);
        return new StepPrinter(System.out, s == null || s.isBlank() ? null : Step.valueOf(s.trim().toUpperCase(Locale.ROOT)));
    }

    @Override
    public void onEvent(RotationEvent event) {
        String line = switch (event) {
            case RotationEvent.Started s -> "STARTED " + s.runId() + " " + (s.resumedAt() == null ? "-" : s.resumedAt());
            case RotationEvent.StepCompleted s -> "STEP " + s.step();
            case RotationEvent.Succeeded s -> "SUCCEEDED " + s.runId() + " " + s.currentVersionId();
            case RotationEvent.Failed f -> "FAILED " + f.step() + " " + f.rolledBack();
            case RotationEvent.RolledBack r -> "ROLLED_BACK " + r.step();
            case RotationEvent.Retired r -> "RETIRED " + r.retiredVersionId();
        };
        synchronized (out) {
            out.println(line);
            out.flush();
        }
        if (event instanceof RotationEvent.StepCompleted s && s.step() == pauseAfter) {
            synchronized (out) {
                out.println("PAUSED " + s.step());
                out.flush();
            }
            while (true) {
                // Wait for SIGKILL; nothing of the run may happen after this step.
                LockSupport.park(this);
            }
        }
    }
}
