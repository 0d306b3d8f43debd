package dev.rotor.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs one test class through the JUnit Platform launcher and records what passed and failed. */
final class JUnitRun implements TestExecutionListener {

    private final Map<String, List<Throwable>> failures = new LinkedHashMap<>();
    private final Set<String> passed = new TreeSet<>();
    private final List<String> skipped = new ArrayList<>();

    private JUnitRun() {}

    static JUnitRun of(Class<?> testClass) {
        JUnitRun run = new JUnitRun();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), run);
        return run;
    }

    /** Names of the test methods with at least one failed execution (a parameterized test counts once). */
    Set<String> failedMethods() {
        return new TreeSet<>(failures.keySet());
    }

    /** Names of the test methods all of whose executions passed. */
    Set<String> passedMethods() {
        Set<String> out = new TreeSet<>(passed);
        out.removeAll(failures.keySet());
        return out;
    }

    /** The first failure of a method, for assertion messages. */
    Throwable failureOf(String method) {
        return failures.get(method).get(0);
    }

    /** Failures in one line each, to explain an unexpected outcome. */
    String describe() {
        StringBuilder sb = new StringBuilder("failed: ");
        failures.forEach((m, ts) -> sb.append("\n  ").append(m).append(": ").append(ts.get(0)));
        sb.append("\npassed: ").append(passedMethods()).append("\nskipped: ").append(skipped);
        return sb.toString();
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        skipped.add(id.getDisplayName() + " (" + reason + ")");
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
            return;
        }
        String name = id.getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse(id.getDisplayName());
        switch (result.getStatus()) {
            case SUCCESSFUL -> passed.add(name);
            case ABORTED -> skipped.add(name + " (aborted)");
            case FAILED -> failures.computeIfAbsent(name, k -> new ArrayList<>())
                    .add(result.getThrowable().orElseGet(() -> new AssertionError("no throwable")));
        }
    }
}
