package dev.rotor.testkit;

import dev.rotor.rotation.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs a rotation in a child JVM and kills it with SIGKILL right after a chosen step, for crash
 * tests against real targets. The child's {@code main} runs a rotation with a
 * {@link StepPrinter#fromSystemProperty()} listener; the harness sets
 * {@value StepPrinter#PAUSE_PROPERTY}, reads the child's output until {@code PAUSED <step>}, and
 * kills the process (which is then blocked inside the listener, so nothing after the step ran).
 *
 * <pre>{@code
 * CrashHarness harness = CrashHarness.builder(RotateOnce.class).args(storeDir.toString(), "app/db").build();
 * CrashHarness.Outcome killed = harness.killAfter(Step.APPLY);
 * assertThat(killed.killed()).isTrue();
 * CrashHarness.Outcome resumed = CrashHarness.builder(ResumeOnce.class)...build().run();
 * }</pre>
 *
 * The child runs on this JVM's {@code java} with this JVM's class path. Its standard error goes
 * to a file (logs), its standard output is read line by line. Stateless apart from its
 * configuration; each call starts a new process.
 */
public final class CrashHarness {

    private static final String EOF = "\u0000eof";

    private final String mainClass;
    private final List<String> args;
    private final List<String> jvmOptions;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final Path logDirectory;

    private CrashHarness(Builder b) {
        this.mainClass = b.mainClass;
        this.args = List.copyOf(b.args);
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.environment = Map.copyOf(b.environment);
        this.timeout = b.timeout;
        this.logDirectory = b.logDirectory;
    }

    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    /**
     * What the child printed and how it ended.
     *
     * @param lines every line of standard output, in order
     * @param exitCode the exit code (137 after SIGKILL)
     * @param killed whether the harness killed it
     * @param log the file holding the child's standard error
     */
    public record Outcome(List<String> lines, int exitCode, boolean killed, Path log) {
        public Outcome {
            lines = List.copyOf(lines);
        }

        public boolean printed(String line) {
            return lines.contains(line);
        }

        /** The steps the child reported complete, in order. */
        public List<Step> steps() {
            return lines.stream().filter(l -> l.startsWith("STEP ")).map(l -> Step.valueOf(l.substring(5))).toList();
        }
    }

    /**
     * Runs the child until it pauses after {@code step}, then kills it with SIGKILL.
     *
     * @throws AssertionError if the child ends, or does not reach the step within the timeout
     */
    public Outcome killAfter(Step step) {
        Objects.requireNonNull(step, "step");
        return execute(step);
    }

    /**
     * Runs the child to its end (no pause point).
     *
     * @throws AssertionError if it does not end within the timeout
     */
    public Outcome run() {
        return execute(null);
    }

    /**
     * Runs the child until it pauses after {@code step} and leaves it paused and alive (holding
     * its lease), e.g. to show that a second process is refused meanwhile. Close the handle, or
     * {@link Paused#kill()}, to kill it.
     *
     * @throws AssertionError if the child ends, or does not reach the step within the timeout
     */
    public Paused pauseAfter(Step step) {
        Objects.requireNonNull(step, "step");
        Child c = start(step);
        c.readUntil("PAUSED " + step);
        return new Paused(c);
    }

    private Outcome execute(@Nullable Step pauseAfter) {
        Child c = start(pauseAfter);
        if (pauseAfter == null) {
            c.readUntil(null);
            return c.finish(false);
        }
        c.readUntil("PAUSED " + pauseAfter);
        return c.kill();
    }

    /** A child paused after a step, still alive. */
    public static final class Paused implements AutoCloseable {
        private final Child child;

        private Paused(Child child) {
            this.child = child;
        }

        /** The lines printed so far. */
        public List<String> lines() {
            return List.copyOf(child.lines);
        }

        public long pid() {
            return child.process.pid();
        }

        /** Kills the child with SIGKILL and returns what it printed. */
        public Outcome kill() {
            return child.kill();
        }

        @Override
        public void close() {
            if (child.process.isAlive()) {
                child.kill();
            }
        }
    }

    private Child start(@Nullable Step pauseAfter) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java command")));
        cmd.addAll(jvmOptions);
        if (pauseAfter != null) {
            cmd.add("-D" + StepPrinter.PAUSE_PROPERTY + "=" + pauseAfter);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(logDirectory);
            Path log = Files.createTempFile(logDirectory, simpleName() + "-" + (pauseAfter == null ? "run" : pauseAfter.name()) + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
            pb.environment().putAll(environment);
            return new Child(pb.start(), log, System.nanoTime() + timeout.toNanos());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + mainClass, e);
        }
    }

    /** One child process and the thread reading its output. */
    private final class Child {
        final Process process;
        final Path log;
        final long deadline;
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread reader;
        boolean ended;

        Child(Process process, Path log, long deadline) {
            this.process = process;
            this.log = log;
            this.deadline = deadline;
            this.reader = Thread.ofPlatform().daemon().name("crash-harness-reader").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        queue.add(line);
                    }
                } catch (IOException e) {
                    // the process died: end of output
                } finally {
                    queue.add(EOF);
                }
            });
        }

        /** Reads lines until {@code stopAt} (or the end of output if null). */
        void readUntil(@Nullable String stopAt) {
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    String line = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
                    if (line == null) {
                        process.destroyForcibly();
                        throw new AssertionError(mainClass + " did not " + (stopAt == null ? "end" : "print '" + stopAt + "'")
                                + " within " + timeout + "; output: " + lines + "; log: " + log);
                    }
                    if (line.equals(EOF)) {
                        ended = true;
                        if (stopAt != null) {
                            waitForExit();
                            throw new AssertionError(mainClass + " ended (exit " + process.exitValue() + ") before reaching "
                                    + stopAt.substring(stopAt.indexOf(' ') + 1) + "; output: " + lines + "; log: " + log);
                        }
                        return;
                    }
                    lines.add(line);
                    if (line.equals(stopAt)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while running " + mainClass, e);
            }
        }

        Outcome kill() {
            process.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no finally blocks
            return finish(true);
        }

        Outcome finish(boolean killed) {
            waitForExit();
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Outcome(lines, process.exitValue(), killed, log);
        }

        private void waitForExit() {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(mainClass + " did not exit; output: " + lines);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + mainClass, e);
            }
        }
    }

    private String simpleName() {
        return mainClass.substring(mainClass.lastIndexOf('.') + 1).replace('$', '-');
    }

    /** Configures a harness. Not thread-safe. */
    public static final class Builder {
        private final String mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Duration timeout = Duration.ofSeconds(60);
        private Path logDirectory = Path.of("target", "crash-harness");

        private Builder(String mainClass) {
            this.mainClass = mainClass;
        }

        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** An option for the child JVM, e.g. {@code -Dlogback.configurationFile=...}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        public Builder env(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long a child may take to reach its pause point or its end (default 60 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** Where the children's standard error goes (default {@code target/crash-harness}). */
        public Builder logDirectory(Path dir) {
            this.logDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        public CrashHarness build() {
            return new CrashHarness(this);
        }
    }
}
