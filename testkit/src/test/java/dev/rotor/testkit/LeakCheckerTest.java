package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LeakCheckerTest {

    private static final Logger log = LoggerFactory.getLogger(LeakCheckerTest.class);
    /** Configured at ERROR with additivity off in logback-test.xml. */
    private static final Logger quiet = LoggerFactory.getLogger("dev.rotor.testkit.quiet");

    private final Canary canary = Canary.create();
    private PrintStream realOut;
    private PrintStream realErr;
    private final ByteArrayOutputStream seenOut = new ByteArrayOutputStream();
    private final ByteArrayOutputStream seenErr = new ByteArrayOutputStream();

    // Stand-in standard streams, so that this test can see what reaches them and the build
    // output does not fill with canaries.
    @BeforeEach
    void replaceStandardStreams() {
        realOut = System.out;
        realErr = System.err;
        System.setOut(new PrintStream(seenOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(seenErr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardStreams() {
        System.setOut(realOut);
        System.setErr(realErr);
    }

    @Test
    void findsCanaryInADebugLogLineBelowTheConfiguredLevel() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            log.debug("connecting with password {}", canary.text());
        }

        assertThat(leaks.leaks()).anySatisfy(leak -> {
            assertThat(leak.source()).contains("logger '" + LeakCheckerTest.class.getName() + "' at DEBUG");
            assertThat(leak.encoding()).isEqualTo("text");
            assertThat(leak.excerpt()).isEqualTo("connecting with password <canary:text>");
        });
    }

    @Test
    void findsCanaryAtTraceInALoggerThatDoesNotReachTheRoot() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            quiet.trace("token={}", canary.text());
        }

        assertThat(sources(leaks)).anyMatch(s -> s.contains("logger 'dev.rotor.testkit.quiet' at TRACE"));
    }

    @Test
    void findsCanaryInTheExceptionOfALogEvent() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            log.info("request failed", new IllegalStateException("wrapped",
                    new IllegalArgumentException("bad key " + canary.text())));
        }

        assertThat(logEventLeaks(leaks)).singleElement().satisfies(leak -> {
            assertThat(leak.source()).contains("at INFO");
            assertThat(leak.excerpt()).contains("IllegalArgumentException: bad key <canary:text>");
        });
    }

    @Test
    void findsCanaryInKeyValuePairsAndMdc() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            log.atDebug().addKeyValue("secret", canary.text()).log("with a key-value pair");
            org.slf4j.MDC.put("credential", canary.text());
            try {
                log.debug("with MDC");
            } finally {
                org.slf4j.MDC.remove("credential");
            }
        }

        assertThat(logEventLeaks(leaks)).hasSize(2).allSatisfy(leak -> assertThat(leak.source()).contains("at DEBUG"));
    }

    @Test
    void findsCanaryLoggedFromAnotherThread() throws Exception {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            Thread t = new Thread(() -> log.warn("from worker: {}", canary.text()), "leaky-worker");
            t.start();
            t.join();
        }

        assertThat(sources(leaks)).anyMatch(s -> s.contains("on thread 'leaky-worker'"));
    }

    @Test
    void findsCanaryOnStdoutAndStillPassesTheOutputThrough() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            System.out.println("user=app password=" + canary.text());
        }

        assertThat(leaks.leaks()).singleElement().satisfies(leak -> {
            assertThat(leak.source()).isEqualTo("System.out");
            assertThat(leak.excerpt()).isEqualTo("user=app password=<canary:text>\\n");
        });
        assertThat(seenOut.toString(StandardCharsets.UTF_8)).contains(canary.text());
    }

    @Test
    void findsCanaryOnStderr() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            System.err.print(canary.text());
        }

        assertThat(sources(leaks)).containsExactly("System.err");
        assertThat(seenErr.toString(StandardCharsets.UTF_8)).isEqualTo(canary.text());
    }

    @Test
    void findsCanaryInAWatchedFileAndInFilesUnderAWatchedDirectory(@TempDir Path dir) throws IOException {
        Path audit = dir.resolve("audit.jsonl");
        Path nested = dir.resolve("store/secrets/app.json");
        Files.createDirectories(nested.getParent());
        LeakChecker leaks = LeakChecker.start(canary).watchFile(audit).watchFile(dir.resolve("store"));
        try (leaks) {
            Files.writeString(audit, "{\"action\":\"get\",\"ref\":\"secret://local/app\"}\n{\"value\":\"" + canary.text() + "\"}\n");
            Files.writeString(nested, "{\"password\":\"" + canary.text() + "\"}");
        }

        assertThat(sources(leaks)).containsExactlyInAnyOrder("file " + audit, "file " + nested);
    }

    @Test
    void watchedFileThatNeverAppearsHoldsNoLeak(@TempDir Path dir) {
        LeakChecker leaks = LeakChecker.start(canary).watchFile(dir.resolve("never-written.log"));
        leaks.close();

        assertThatCode(leaks::assertNoLeaks).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "after {0} other bytes")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void findsCanaryInsideTheBase64OfALongerValueAtAnyAlignment(int lead) {
        byte[] json = ("x".repeat(lead) + "{\"password\":\"" + canary.text() + "\"}").getBytes(StandardCharsets.UTF_8);
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            log.info("payload {}", Base64.getEncoder().encodeToString(json));
            System.out.println(Base64.getUrlEncoder().withoutPadding().encodeToString(json));
        }

        assertThat(leaks.leaks()).extracting(Leak::encoding).contains("base64");
        assertThat(leaks.leaks()).filteredOn(l -> l.source().equals("System.out")).isNotEmpty();
    }

    @Test
    void findsCanaryAsBase64OfItsOwnBytes() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            System.out.println(Base64.getEncoder().encodeToString(canary.bytes()));
        }

        assertThat(leaks.leaks()).extracting(Leak::encoding).containsExactly("base64");
    }

    @Test
    void findsCanaryAsLowerAndUpperCaseHex() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            log.info("lower {}", HexFormat.of().formatHex(canary.bytes()));
            log.info("upper {}", HexFormat.of().withUpperCase().formatHex(canary.bytes()));
        }

        assertThat(leaks.leaks()).extracting(Leak::encoding).contains("hex", "HEX");
    }

    @Test
    void passesWhenNothingLeaks(@TempDir Path dir) throws IOException {
        Path audit = dir.resolve("audit.jsonl");
        LeakChecker leaks = LeakChecker.start(canary).watchFile(audit);
        try (leaks) {
            log.debug("resolved secret://local/app/db version {}", "7");
            log.error("rotation failed", new IllegalStateException("target refused the new password"));
            System.out.println("rotated secret://local/app/db");
            System.err.println("warning: cache stale");
            Files.writeString(audit, "{\"action\":\"rotate\",\"ref\":\"secret://local/app/db\"}\n");
        }

        assertThat(leaks.leaks()).isEmpty();
        assertThatCode(leaks::assertNoLeaks).doesNotThrowAnyException();
    }

    @Test
    void failureNamesEveryPlaceAndNeverShowsTheCanary() {
        LeakChecker leaks = LeakChecker.start(canary);
        try (leaks) {
            log.warn("one {}", canary.text());
            System.out.println("two " + HexFormat.of().formatHex(canary.bytes()));
            System.err.println("three " + Base64.getEncoder().encodeToString(canary.bytes()));
        }

        assertThatThrownBy(leaks::assertNoLeaks)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("logger '" + LeakCheckerTest.class.getName() + "' at WARN")
                .hasMessageContaining("System.out holds a canary (hex):")
                .hasMessageContaining("two <canary:hex>")
                .hasMessageContaining("System.err holds a canary (base64): three <canary:base64>")
                .satisfies(e -> assertThat(LeakChecker.scan("report", e.getMessage(), List.of(canary))).isEmpty());
    }

    @Test
    void excerptIsShortOnOneLineAndMasksEveryCanaryNearby() {
        Canary other = Canary.create();
        LeakChecker leaks = LeakChecker.start(canary, other);
        try (leaks) {
            System.out.print("a".repeat(500) + "\nuser=" + other.text() + "\npass=" + canary.text() + "\n" + "z".repeat(500));
        }

        List<Leak> found = leaks.leaks();
        assertThat(found).hasSize(1);
        String excerpt = found.get(0).excerpt();
        assertThat(excerpt).startsWith("...").endsWith("...").doesNotContain("\n")
                .contains("\\nuser=<canary:text>\\npass=<canary:text>\\n");
        assertThat(excerpt.length()).isLessThan(2 * LeakScanner.CONTEXT + 60);
        assertThat(LeakChecker.scan("excerpt", excerpt, List.of(canary, other))).isEmpty();
    }

    @Test
    void canaryWatchedAfterTheLeakIsStillFound() {
        Canary late = Canary.create();
        LeakChecker leaks = LeakChecker.start();
        try (leaks) {
            log.info("{}", late.text());
            leaks.watch(late);
        }

        assertThat(leaks.leaks()).isNotEmpty();
    }

    @Test
    void closeRestoresStreamsLevelsAndAppenders() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Logger quietLogback = context.getLogger("dev.rotor.testkit.quiet");
        PrintStream out = System.out;
        PrintStream err = System.err;
        Level rootLevel = root.getLevel();
        Set<String> rootAppenders = appenderNames(root);

        LeakChecker leaks = LeakChecker.start(canary);
        assertThat(System.out).isNotSameAs(out);
        assertThat(root.getLevel()).isEqualTo(Level.ALL);
        assertThat(quietLogback.getLevel()).isEqualTo(Level.ALL);
        leaks.close();
        leaks.close();

        assertThat(System.out).isSameAs(out);
        assertThat(System.err).isSameAs(err);
        assertThat(root.getLevel()).isEqualTo(rootLevel).isEqualTo(Level.INFO);
        assertThat(quietLogback.getLevel()).isEqualTo(Level.ERROR);
        assertThat(appenderNames(root)).isEqualTo(rootAppenders);
        assertThat(appenderNames(quietLogback)).doesNotContain("rotor-leak-checker");

        log.error("after close {}", canary.text());
        System.out.println(canary.text());
        assertThat(leaks.leaks()).as("nothing is captured after close").isEmpty();
    }

    @Test
    void nestedCheckersEachSeeTheirOwnBlock() {
        Canary inner = Canary.create();
        PrintStream out = System.out;
        LeakChecker outer = LeakChecker.start(canary, inner);
        LeakChecker nested;
        try (outer) {
            nested = LeakChecker.start(canary, inner);
            try (nested) {
                System.out.println(inner.text());
            }
            System.out.println(canary.text());
        }

        assertThat(System.out).isSameAs(out);
        assertThat(nested.leaks()).extracting(Leak::excerpt).containsExactly("<canary:text>\\n");
        assertThat(outer.leaks()).hasSize(1).extracting(Leak::excerpt)
                .containsExactly("<canary:text>\\n<canary:text>\\n");
    }

    @Test
    void assertNoLeaksInRunsTheBlockAndFailsOnALeak() {
        List<String> ran = new ArrayList<>();

        assertThatCode(() -> LeakChecker.assertNoLeaksIn(() -> ran.add("clean"), canary)).doesNotThrowAnyException();
        assertThatThrownBy(() -> LeakChecker.assertNoLeaksIn(() -> log.info(canary.text()), canary))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("a canary leaked in")
                .hasMessageContaining("logger '" + LeakCheckerTest.class.getName() + "' at INFO");
        assertThat(ran).containsExactly("clean");
    }

    @Test
    void assertNoCanaryInChecksOneText() {
        assertThatCode(() -> LeakChecker.assertNoCanaryIn("message", "secret 'app/db' not found", canary))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> LeakChecker.assertNoCanaryIn("message", "value was " + canary.text(), canary))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("message holds a canary (text): value was <canary:text>");
    }

    @Test
    void canariesAreUniqueRecognisableAndDoNotPrintThemselves() {
        Set<String> texts = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            texts.add(Canary.create().text());
        }

        assertThat(texts).hasSize(1000).allMatch(t -> t.matches("canary-[A-Za-z0-9]{24}"));
        assertThat(canary.toString()).doesNotContain(canary.text()).startsWith("Canary[canary-");
        assertThat(canary.value().asUtf8()).isEqualTo(canary.text());
    }

    private static List<Leak> logEventLeaks(LeakChecker leaks) {
        return leaks.leaks().stream().filter(l -> l.source().startsWith("log event")).toList();
    }

    private static List<String> sources(LeakChecker leaks) {
        return leaks.leaks().stream().map(Leak::source).toList();
    }

    private static Set<String> appenderNames(ch.qos.logback.classic.Logger logger) {
        Set<String> names = new HashSet<>();
        logger.iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
        return names;
    }
}
