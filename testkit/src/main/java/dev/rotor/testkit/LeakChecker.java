package dev.rotor.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.function.Executable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Captures everything a block of code could leak a secret through, then checks that no
 * {@link Canary} appears in it, as text or as the base64 or hex encoding of its bytes.
 *
 * <p>While running, a checker captures:
 * <ul>
 *   <li>every Logback event of every logger at every level: a capturing appender is attached
 *       to the root logger (and to each logger that does not pass events on to the root), and
 *       every logger is set to {@code ALL}; both are undone by {@link #close()}. Message,
 *       arguments, exception chain, MDC and key-value pairs are all checked;
 *   <li>{@code System.out} and {@code System.err}, teed (the output still appears) and restored
 *       by {@code close()};
 *   <li>files and directories named with {@link #watchFile(Path)} (audit logs, store files),
 *       read when the check runs.
 * </ul>
 *
 * <pre>{@code
 * Canary canary = Canary.create();
 * LeakChecker leaks = LeakChecker.start(canary).watchFile(auditLog);
 * try (leaks) {
 *     store.put("app/db", canary.value(), PutOptions.current());
 *     ...
 * }
 * leaks.assertNoLeaks();
 * }</pre>
 *
 * A failed check names each place a canary was found with a short excerpt in which every
 * canary is masked, so the report itself leaks nothing. {@link LeakCheckExtension} does the
 * same around each test method.
 *
 * <p>Threading: capturing works for code on any thread, but a checker replaces process-wide
 * state (the standard streams and logger levels), so at most one checker may be open at a
 * time, or several strictly nested (closed in reverse order of starting). Tests that use one
 * must not run in parallel with other tests in the same JVM.
 */
public final class LeakChecker implements AutoCloseable {

    private final List<Canary> canaries = new CopyOnWriteArrayList<>();
    private final List<Path> files = new CopyOnWriteArrayList<>();
    private final Queue<String[]> logEvents = new ConcurrentLinkedQueue<>();
    private final CapturingAppender appender;
    private final LoggerContext loggerContext;
    private final Map<Logger, @Nullable Level> savedLevels = new IdentityHashMap<>();
    private final List<Logger> attachedTo = new ArrayList<>();
    private final PrintStream originalOut;
    private final PrintStream originalErr;
    private final ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    private final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    private final PrintStream teeOut;
    private final PrintStream teeErr;
    private boolean closed;

    private LeakChecker(Collection<Canary> initial) {
        canaries.addAll(initial);
        loggerContext = logbackContext();
        appender = new CapturingAppender(logEvents);
        appender.setContext(loggerContext);
        appender.setName("rotor-leak-checker");
        appender.start();
        for (Logger logger : loggerContext.getLoggerList()) {
            savedLevels.put(logger, logger.getLevel());
            logger.setLevel(Level.ALL);
            // An event stops at the first logger without additivity, so attaching to the root and
            // to each of those loggers sees every event exactly once.
            if (Logger.ROOT_LOGGER_NAME.equals(logger.getName()) || !logger.isAdditive()) {
                logger.addAppender(appender);
                attachedTo.add(logger);
            }
        }
        originalOut = System.out;
        originalErr = System.err;
        teeOut = new PrintStream(new TeeOutputStream(originalOut, capturedOut), true, originalOut.charset());
        teeErr = new PrintStream(new TeeOutputStream(originalErr, capturedErr), true, originalErr.charset());
        System.setOut(teeOut);
        System.setErr(teeErr);
    }

    /** Starts capturing; checks look for the given canaries and any added later with {@link #watch}. */
    public static LeakChecker start(Canary... canaries) {
        return start(Arrays.asList(canaries));
    }

    /** Starts capturing; checks look for the given canaries and any added later with {@link #watch}. */
    public static LeakChecker start(Collection<Canary> canaries) {
        canaries.forEach(c -> Objects.requireNonNull(c, "canary"));
        return new LeakChecker(canaries);
    }

    /**
     * Runs {@code block} under a new checker and asserts that none of the canaries leaked.
     * An exception from the block is rethrown after the capture ends.
     */
    public static void assertNoLeaksIn(Executable block, Canary... canaries) throws Throwable {
        LeakChecker leaks = start(canaries);
        try (leaks) {
            block.execute();
        }
        leaks.assertNoLeaks();
    }

    /** Adds a canary to look for (it may have been used before it was added). */
    public LeakChecker watch(Canary canary) {
        canaries.add(Objects.requireNonNull(canary, "canary"));
        return this;
    }

    /**
     * Adds a file to check, or a directory whose regular files (at any depth) are all checked.
     * Files are read when a check runs; one that does not exist then holds no leak.
     */
    public LeakChecker watchFile(Path file) {
        files.add(Objects.requireNonNull(file, "file"));
        return this;
    }

    /** The canaries this checker looks for. */
    public List<Canary> canaries() {
        return List.copyOf(canaries);
    }

    /** Every place a canary appears in what was captured so far and in the watched files. */
    public List<Leak> leaks() {
        teeOut.flush();
        teeErr.flush();
        List<Leak> found = new ArrayList<>();
        found.addAll(LeakScanner.scan("System.out", decode(capturedOut, originalOut.charset()), canaries));
        found.addAll(LeakScanner.scan("System.err", decode(capturedErr, originalErr.charset()), canaries));
        for (String[] event : logEvents) {
            found.addAll(LeakScanner.scan(event[0], event[1], canaries));
        }
        for (Path file : files) {
            for (Path f : regularFiles(file)) {
                found.addAll(LeakScanner.scan("file " + f, readFile(f), canaries));
            }
        }
        return found;
    }

    /**
     * Fails if any canary appears anywhere captured so far or in a watched file. The message
     * lists each place with a masked excerpt.
     *
     * @throws AssertionError naming every leak
     */
    public void assertNoLeaks() {
        failIfAny(leaks());
    }

    /** Checks one text (an exception message, a {@code toString()}) for the canaries. */
    public static void assertNoCanaryIn(String source, CharSequence text, Collection<Canary> canaries) {
        failIfAny(LeakScanner.scan(source, text.toString(), canaries));
    }

    /** Checks one text (an exception message, a {@code toString()}) for the canaries. */
    public static void assertNoCanaryIn(String source, CharSequence text, Canary... canaries) {
        assertNoCanaryIn(source, text, Arrays.asList(canaries));
    }

    /** The places in {@code text} where a canary appears. */
    public static List<Leak> scan(String source, CharSequence text, Collection<Canary> canaries) {
        return LeakScanner.scan(source, text.toString(), canaries);
    }

    private static void failIfAny(List<Leak> leaks) {
        if (leaks.isEmpty()) {
            return;
        }
        int shown = Math.min(leaks.size(), 25);
        StringBuilder sb = new StringBuilder("a canary leaked in ").append(leaks.size())
                .append(leaks.size() == 1 ? " place:" : " places:");
        for (Leak leak : leaks.subList(0, shown)) {
            sb.append("\n  - ").append(leak);
        }
        if (shown < leaks.size()) {
            sb.append("\n  ... and ").append(leaks.size() - shown).append(" more");
        }
        throw new AssertionError(sb.toString());
    }

    /** Stops capturing and restores the logger levels, appenders and standard streams. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        teeOut.flush();
        teeErr.flush();
        System.setOut(originalOut);
        System.setErr(originalErr);
        for (Logger logger : attachedTo) {
            logger.detachAppender(appender);
        }
        savedLevels.forEach(Logger::setLevel);
        appender.stop();
    }

    private static LoggerContext logbackContext() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            return context;
        }
        throw new IllegalStateException("LeakChecker captures Logback events, but SLF4J is bound to "
                + factory.getClass().getName() + "; put logback-classic first on the test classpath");
    }

    private static String decode(ByteArrayOutputStream captured, Charset charset) {
        return captured.toString(charset);
    }

    private static List<Path> regularFiles(Path root) {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + " for the leak check", e);
        }
    }

    private static String readFile(Path file) {
        try {
            // Canary forms are ASCII, which survives decoding any bytes as UTF-8.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " for the leak check", e);
        }
    }

    /** Writes to the original stream and to the capture buffer. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream copy;

        TeeOutputStream(OutputStream original, ByteArrayOutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            copy.write(b);
            original.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            copy.write(b, off, len);
            original.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            original.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Keeps, for each event, a description of its source and all the text it carries. */
    private static final class CapturingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
        private final Queue<String[]> sink;

        CapturingAppender(Queue<String[]> sink) {
            this.sink = sink;
        }

        @Override
        protected void append(ILoggingEvent event) {
            String source = "log event of logger '" + event.getLoggerName() + "' at " + event.getLevel()
                    + " on thread '" + event.getThreadName() + "'";
            String message = String.valueOf(event.getFormattedMessage());
            StringBuilder text = new StringBuilder(message);
            Object[] args = event.getArgumentArray();
            if (args != null) {
                // Arguments without a placeholder are not in the message, but an encoder may still write them.
                for (Object arg : args) {
                    String s = safeToString(arg);
                    if (!message.contains(s)) {
                        text.append(" | arg: ").append(s);
                    }
                }
            }
            appendThrowable(text, event.getThrowableProxy(), 0);
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null && !mdc.isEmpty()) {
                text.append(" | mdc: ").append(mdc);
            }
            var kvps = event.getKeyValuePairs();
            if (kvps != null) {
                for (var kv : kvps) {
                    text.append(" | ").append(kv.key).append('=').append(safeToString(kv.value));
                }
            }
            sink.add(new String[] {source, text.toString()});
        }

        // Causes and suppressed exceptions, as a stack trace would print them; depth-bounded
        // because a proxy chain can be cyclic.
        private static void appendThrowable(StringBuilder text, @Nullable IThrowableProxy t, int depth) {
            if (t == null || depth > 32) {
                return;
            }
            text.append(" | exception: ").append(t.getClassName()).append(": ").append(t.getMessage());
            for (IThrowableProxy s : t.getSuppressed()) {
                appendThrowable(text, s, depth + 1);
            }
            appendThrowable(text, t.getCause(), depth + 1);
        }

        private static String safeToString(@Nullable Object o) {
            try {
                return String.valueOf(o);
            } catch (RuntimeException e) {
                return "<toString() failed: " + e.getClass().getName() + ">";
            }
        }
    }
}
