package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs small test classes that use {@link LeakCheckExtension} and checks their outcomes. */
class LeakCheckExtensionTest {

    private static final Logger log = LoggerFactory.getLogger(LeakCheckExtensionTest.class);

    @Test
    void testThatLeaksFailsAndTestsThatDoNotPass() {
        JUnitRun run = JUnitRun.of(Subject.class);

        assertThat(run.failedMethods()).as(run.describe()).containsExactlyInAnyOrder("logsTheCanary", "writesTheCanaryToAWatchedFile");
        assertThat(run.passedMethods()).containsExactly("logsOnlyTheRef");
        assertThat(run.failureOf("logsTheCanary"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("logger '" + LeakCheckExtensionTest.class.getName() + "' at DEBUG")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContainPattern("canary-[A-Za-z0-9]{24}"));
        assertThat(run.failureOf("writesTheCanaryToAWatchedFile")).hasMessageContaining("file " + Subject.AUDIT);
    }

    static final class Subject {
        static final Path AUDIT = Path.of(System.getProperty("java.io.tmpdir"), "rotor-leak-extension-" + ProcessHandle.current().pid() + ".log");

        @RegisterExtension
        final LeakCheckExtension leaks = new LeakCheckExtension().watchFile(AUDIT);

        @Test
        void logsTheCanary() {
            log.debug("value {}", leaks.canary().text());
        }

        @Test
        void logsOnlyTheRef() {
            leaks.canary();
            log.debug("resolved {}", "secret://local/app/db");
        }

        @Test
        void writesTheCanaryToAWatchedFile() throws IOException {
            try {
                Files.writeString(AUDIT, leaks.canary().text());
            } finally {
                AUDIT.toFile().deleteOnExit();
            }
        }
    }
}
