package dev.rotor.testkit.peer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer server run as a child process for tests: started on a free loopback port, polled
 * with a {@link ReadinessProbe} until it answers, its output captured to a file, and stopped,
 * children included, by {@link #close()}.
 *
 * <pre>{@code
 * try (PeerProcess moto = PeerProcess.builder("moto")
 *         .command("python3", "-m", "moto.server", "-H", "{host}", "-p", "{port}")
 *         .readiness(ReadinessProbe.http("/"))
 *         .build()
 *         .start()) {
 *     URI endpoint = moto.uri();
 *     ...
 * }
 * }</pre>
 *
 * In the command, {@code {port}} and {@code {host}} stand for the chosen port and the loopback
 * address. The port is found by binding port 0 and releasing it, so another program may take
 * it before the peer binds; a peer that exits during start-up is therefore started again on a
 * new port, up to {@link Builder#startAttempts} times.
 *
 * <p>Output (stdout and stderr together) goes to {@code <logDirectory>/<name>-<port>.log},
 * by default under {@code target/peers}; the last lines are quoted in start-up errors.
 *
 * <p>Threading: {@link #start()} and {@link #close()} are meant for one thread (a test's
 * set-up and tear-down); the accessors may be read from any thread once started.
 */
public final class PeerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerProcess.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /** The loopback address peers bind to; an IP literal so that no resolver is involved. */
    public static final String HOST = "127.0.0.1";

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final @Nullable Path workingDirectory;
    private final ReadinessProbe readiness;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final Duration pollInterval;
    private final Path logDirectory;
    private final int startAttempts;

    private volatile @Nullable Process process;
    private volatile int port = -1;
    private volatile @Nullable Path logFile;

    private PeerProcess(Builder b) {
        this.name = b.name;
        this.command = List.copyOf(b.command);
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.readiness = b.readiness;
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
        this.pollInterval = b.pollInterval;
        this.logDirectory = b.logDirectory;
        this.startAttempts = b.startAttempts;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The loopback address the peer listens on. */
    public String host() {
        return HOST;
    }

    /** The port the peer listens on. @throws IllegalStateException before {@link #start()} */
    public int port() {
        int p = port;
        if (p < 0) {
            throw new IllegalStateException("peer '" + name + "' has not been started");
        }
        return p;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://" + HOST + ":" + port());
    }

    /** Where the peer's output goes. @throws IllegalStateException before {@link #start()} */
    public Path logFile() {
        Path f = logFile;
        if (f == null) {
            throw new IllegalStateException("peer '" + name + "' has not been started");
        }
        return f;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The process id, or -1 when not running. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /**
     * Starts the peer and waits until the probe passes.
     *
     * @return this
     * @throws PeerStartException if the peer exits during start-up on every attempt, or does not
     *     become ready within the start timeout (it is stopped then); the message quotes the end
     *     of its output
     * @throws IllegalStateException if already started
     */
    public PeerProcess start() {
        if (process != null) {
            throw new IllegalStateException("peer '" + name + "' is already started");
        }
        PeerStartException last = null;
        for (int attempt = 1; attempt <= startAttempts; attempt++) {
            try {
                startOnce(freeLoopbackPort());
                return this;
            } catch (ExitedEarly e) {
                // Most likely the port was taken between choosing it and binding it.
                last = e.failure;
                LOG.info("peer '{}' exited during start-up (attempt {} of {}): {}", name, attempt, startAttempts, e.failure.getMessage());
            }
        }
        throw Objects.requireNonNull(last);
    }

    /** Thrown internally when the process died before it was ready. */
    private static final class ExitedEarly extends Exception {
        private static final long serialVersionUID = 1L;
        final transient PeerStartException failure;

        ExitedEarly(PeerStartException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private void startOnce(int chosenPort) throws ExitedEarly {
        Path log = logDirectory.resolve(name + "-" + chosenPort + ".log").toAbsolutePath();
        List<String> cmd = new ArrayList<>(command.size());
        for (String part : command) {
            cmd.add(part.replace("{port}", Integer.toString(chosenPort)).replace("{host}", HOST));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Process p;
        try {
            Files.createDirectories(log.getParent());
            p = pb.start();
        } catch (IOException e) {
            throw new PeerStartException("peer '" + name + "' could not be started (" + String.join(" ", cmd) + "): " + e.getMessage(), e);
        }
        process = p;
        port = chosenPort;
        logFile = log;
        LOG.info("peer '{}' started as pid {} on {}:{}, output in {}", name, p.pid(), HOST, chosenPort, log);
        Instant deadline = Instant.now().plus(startTimeout);
        while (true) {
            if (probe(chosenPort)) {
                LOG.info("peer '{}' is ready on {}:{}", name, HOST, chosenPort);
                return;
            }
            if (!p.isAlive()) {
                process = null;
                port = -1;
                throw new ExitedEarly(new PeerStartException("peer '" + name + "' exited with code " + p.exitValue()
                        + " before it was ready (" + String.join(" ", cmd) + "); last output:\n" + tail(log, 20)));
            }
            if (Instant.now().isAfter(deadline)) {
                String tail = tail(log, 20);
                close();
                throw new PeerStartException("peer '" + name + "' was not ready on " + HOST + ":" + chosenPort + " within "
                        + startTimeout + " (" + String.join(" ", cmd) + "); last output:\n" + tail);
            }
            // Wakes at once if the process exits; otherwise polls again after the interval.
            try {
                p.onExit().get(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // still running: probe again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new PeerStartException("interrupted while waiting for peer '" + name + "' to become ready", e);
            }
        }
    }

    private boolean probe(int p) {
        try {
            return readiness.isReady(HOST, p);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Stops the peer and every process it started: a polite termination first, a forced one
     * after the stop timeout. Idempotent.
     */
    @Override
    public void close() {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            h.destroy();
        }
        Instant deadline = Instant.now().plus(stopTimeout);
        for (ProcessHandle h : all) {
            long left = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                h.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        LOG.info("peer '{}' (pid {}) stopped", name, p.pid());
    }

    /** The last {@code lines} lines of the peer's output, for error messages. */
    public String logTail(int lines) {
        Path f = logFile;
        return f == null ? "" : tail(f, lines);
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no output)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return last.isEmpty() ? "(no output)" : String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    /** A port on the loopback interface that nothing listened on a moment ago. */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    @Override
    public String toString() {
        int p = port;
        return "PeerProcess[" + name + (p < 0 ? ", not started" : ", " + HOST + ":" + p) + "]";
    }

    /** Describes a peer; {@link #build()} checks every setting and reports all problems at once. */
    public static final class Builder {
        private final String name;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private @Nullable Path workingDirectory;
        private ReadinessProbe readiness = ReadinessProbe.tcp();
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Duration pollInterval = Duration.ofMillis(100);
        private Path logDirectory = Path.of("target", "peers");
        private int startAttempts = 3;

        private Builder(String name) {
            this.name = name;
        }

        /** The command and its arguments; {@code {port}} and {@code {host}} are replaced. */
        public Builder command(String... parts) {
            return command(List.of(parts));
        }

        public Builder command(List<String> parts) {
            command.clear();
            command.addAll(parts);
            return this;
        }

        /** An environment variable added to the inherited environment. */
        public Builder env(String key, String value) {
            environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder workingDirectory(Path dir) {
            this.workingDirectory = dir;
            return this;
        }

        public Builder readiness(ReadinessProbe probe) {
            this.readiness = probe;
            return this;
        }

        /** How long start-up may take, probe included; 60 s by default. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** How long a polite stop may take before the processes are killed; 10 s by default. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /** How often the probe runs while waiting; 100 ms by default. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /** Where output files go; {@code target/peers} (relative to the working directory) by default. */
        public Builder logDirectory(Path dir) {
            this.logDirectory = dir;
            return this;
        }

        /** How many ports to try when the peer exits during start-up; 3 by default. */
        public Builder startAttempts(int attempts) {
            this.startAttempts = attempts;
            return this;
        }

        /** @throws IllegalArgumentException listing every problem */
        public PeerProcess build() {
            List<String> problems = new ArrayList<>();
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add("name must be non-empty and hold only A-Z a-z 0-9 . _ - (was '" + name + "')");
            }
            if (command.isEmpty()) {
                problems.add("command is required");
            } else if (command.stream().anyMatch(c -> c == null || c.isEmpty())) {
                problems.add("command parts must be non-empty");
            }
            if (readiness == null) {
                problems.add("readiness probe is required");
            }
            checkPositive(problems, "startTimeout", startTimeout);
            checkPositive(problems, "stopTimeout", stopTimeout);
            checkPositive(problems, "pollInterval", pollInterval);
            if (logDirectory == null) {
                problems.add("logDirectory is required");
            }
            if (startAttempts < 1) {
                problems.add("startAttempts must be at least 1 (was " + startAttempts + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("peer '" + name + "': " + String.join("; ", problems));
            }
            return new PeerProcess(this);
        }

        private static void checkPositive(List<String> problems, String field, @Nullable Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                problems.add(field + " must be positive (was " + d + ")");
            }
        }
    }
}
