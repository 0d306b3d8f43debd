package dev.rotor.kubernetes;

import dev.rotor.testkit.Canary;
import dev.rotor.testkit.Leak;
import dev.rotor.testkit.LeakChecker;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * testkit's leak check around each test, leaving out the mock API server's own log events: the
 * stand-in for the API server logs every body it stores, as a real one does at its
 * RequestResponse audit level. Everything Rotor and the fabric8 client log, print or throw is checked.
 */
final class RotorLeakCheck implements BeforeEachCallback, AfterEachCallback {

    private LeakChecker checker;

    Canary canary() {
        Canary c = Canary.create();
        checker.watch(c);
        return c;
    }

    List<Canary> canaries() {
        return checker.canaries();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        checker = LeakChecker.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<Leak> leaks;
        try {
            leaks = checker.leaks().stream()
                    .filter(l -> !l.source().contains("'io.fabric8.kubernetes.client.server.mock.") && !l.source().contains("'io.fabric8.mockwebserver."))
                    .toList();
        } finally {
            checker.close();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("a canary leaked: " + leaks);
        }
    }
}
