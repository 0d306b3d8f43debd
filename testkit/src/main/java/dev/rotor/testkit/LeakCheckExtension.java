package dev.rotor.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test method under a {@link LeakChecker} and fails the test if a canary leaked.
 *
 * <pre>{@code
 * @RegisterExtension
 * final LeakCheckExtension leaks = new LeakCheckExtension().watchFile(auditLog);
 *
 * @Test
 * void putDoesNotLogTheValue() {
 *     Canary canary = leaks.canary();
 *     store.put("app/db", canary.value(), PutOptions.current());
 * }
 * }</pre>
 *
 * The capture covers the test's {@code @BeforeEach} methods, the test method and its
 * {@code @AfterEach} methods; the check runs after them.
 *
 * <p>Threading: see {@link LeakChecker}; tests using this extension must not run in parallel.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {

    private final List<Path> files = new ArrayList<>();
    private @Nullable LeakChecker current;

    /** Adds a file or directory checked after every test. */
    public LeakCheckExtension watchFile(Path file) {
        files.add(Objects.requireNonNull(file, "file"));
        if (current != null) {
            current.watchFile(file);
        }
        return this;
    }

    /** A new canary that the running test's check looks for. */
    public Canary canary() {
        Canary canary = Canary.create();
        checker().watch(canary);
        return canary;
    }

    /** The checker of the running test, e.g. to {@linkplain LeakChecker#watch watch} a canary made elsewhere. */
    public LeakChecker checker() {
        LeakChecker c = current;
        if (c == null) {
            throw new IllegalStateException("no test is running under this LeakCheckExtension");
        }
        return c;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        LeakChecker c = LeakChecker.start();
        files.forEach(c::watchFile);
        current = c;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LeakChecker c = current;
        current = null;
        if (c != null) {
            c.close();
            c.assertNoLeaks();
        }
    }
}
