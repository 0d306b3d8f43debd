package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a command as a separate process with captured output: the packaged jar, bin/rotor, a script. */
final class RotorProcess {

    /** What a process printed and how it ended. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static final Path PROJECT_ROOT = Path.of(System.getProperty("rotor.project.root", "..")).toAbsolutePath().normalize();
    static final Path JAR = Path.of(System.getProperty("rotor.jar", PROJECT_ROOT.resolve("rotator-daemon/target/rotor.jar").toString()));
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    /** The admin API's address in the daemon's ready line. */
    private static final Pattern API_URI = Pattern.compile("api (http://[^\\s]+)");

    private final Path workingDirectory;
    final Map<String, String> env = new HashMap<>();

    RotorProcess(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    /** {@code java -jar rotor.jar args...} */
    Result rotor(String... args) throws IOException, InterruptedException {
        return rotorWithInput(new byte[0], args);
    }

    Result rotorWithInput(String stdin, String... args) throws IOException, InterruptedException {
        return rotorWithInput(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    Result rotorWithInput(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return run(command, stdin);
    }

    /** Any command, e.g. {@code bash bin/rotor --version}. */
    Result run(List<String> command, byte[] stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("rotor-out", ".txt");
        Path err = Files.createTempFile("rotor-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // Keys come from the test alone, never from whoever runs it.
            pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The process may exit without reading its input; its exit code tells.
            }
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            assertThat(done).as("%s did not finish within 120 s", command).isTrue();
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Starts {@code rotor daemon [options]} from the jar in {@code dir}, its output in {@code out.txt} and
     * {@code err.txt} there, with {@code env} and no {@code ROTOR_} variable of whoever runs the test.
     */
    static Process startDaemon(Path dir, Map<String, String> env, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toString(), "daemon"));
        command.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile()).redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ROTOR_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits (up to 60 s) for a daemon started by {@link #startDaemon} to print its ready line; its admin API's base URI. */
    static URI awaitApi(Process daemon, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Await.that("'rotor daemon ready'").until(Duration.ofSeconds(60), () -> {
            assertThat(daemon.isAlive()).as("daemon running; stderr: %s", Files.readString(dir.resolve("err.txt"))).isTrue();
            return API_URI.matcher(Files.readString(out)).find();
        });
        Matcher m = API_URI.matcher(Files.readString(out));
        assertThat(m.find()).isTrue();
        String uri = m.group(1);
        return URI.create(uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
    }
}
