package dev.rotor.testkit.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.opentest4j.TestAbortedException;

/**
 * What a test does when a peer it needs is missing: on a developer's machine it is skipped
 * with a one-line reason; when the environment variable {@code CI} is {@code true} it fails,
 * because CI must run every test and a silent skip would hide a broken set-up.
 *
 * <pre>{@code
 * Peers.require("moto", Peers.commandFails(Duration.ofSeconds(20), "python3", "-c", "import moto.server"));
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Peers {

    private Peers() {}

    /** True when the process runs in CI ({@code CI=true}, any case). */
    public static boolean inCi() {
        return inCi(System::getenv);
    }

    static boolean inCi(Function<String, @Nullable String> env) {
        return "true".equalsIgnoreCase(String.valueOf(env.apply("CI")).trim());
    }

    /** Skips (locally) or fails (in CI) the running test if {@code problem} holds a reason. */
    public static void require(String name, Optional<String> problem) {
        if (problem.isPresent()) {
            throw unavailable(name, problem.get());
        }
    }

    /**
     * The exception to throw when peer {@code name} is missing: a {@link TestAbortedException}
     * (JUnit reports a skip) locally, a {@link MissingPeerException} (a failure) in CI. The message is one
     * line: {@code peer '<name>' is not available: <reason>}.
     */
    public static RuntimeException unavailable(String name, String reason) {
        return unavailable(name, reason, System::getenv);
    }

    static RuntimeException unavailable(String name, String reason, Function<String, @Nullable String> env) {
        String message = "peer '" + name + "' is not available: " + oneLine(reason);
        if (inCi(env)) {
            return new MissingPeerException(message + " (CI=true: a missing peer fails the build instead of skipping)");
        }
        return new TestAbortedException(message);
    }

    /** A reason if {@code executable} is not an executable file in a directory on {@code PATH}. */
    public static Optional<String> missingCommand(String executable) {
        return missingCommand(executable, System.getenv("PATH"));
    }

    static Optional<String> missingCommand(String executable, @Nullable String path) {
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of("'" + executable + "' is not on the PATH");
    }

    /**
     * A reason if {@code command} cannot be run, exits with a non-zero code, or does not finish
     * within {@code timeout}; empty if it exits with 0. The reason quotes the first line of its
     * output.
     */
    public static Optional<String> commandFails(Duration timeout, String... command) {
        String shown = String.join(" ", command);
        Path output = null;
        Process p = null;
        try {
            // Output to a file, not a pipe: a chatty command must not block on a full pipe.
            output = Files.createTempFile("rotor-peer-check", ".log");
            p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return Optional.of("'" + shown + "' did not finish within " + timeout);
            }
            if (p.exitValue() == 0) {
                return Optional.empty();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "" : text.lines().reduce((a, b) -> b).orElse("");
            return Optional.of("'" + shown + "' exited with code " + p.exitValue() + (last.isEmpty() ? "" : ": " + last));
        } catch (IOException e) {
            return Optional.of("cannot run '" + shown + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return Optional.of("interrupted while running '" + shown + "'");
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
