package dev.rotor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local moto server (an AWS API emulator) on a free loopback port, for the comparison with
 * the AWS Secrets Manager caching client. Started by {@link #start}, stopped by {@link #close}.
 *
 * <p>The server's output goes to a temporary log file, not to a pipe: a pipe that nobody reads
 * would fill up and stall the server in the middle of a benchmark.
 *
 * <p>Not thread-safe: one thread starts and stops it; the endpoint may be read from any thread.
 */
public final class MotoServer implements AutoCloseable {

    /** How long moto may take to answer its first request. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /**
     * Starts {@code python3 -m moto.server} on 127.0.0.1 and returns once it answers HTTP.
     *
     * @throws IllegalStateException if it exits or does not answer within {@link #STARTUP_TIMEOUT};
     *     the message quotes the end of its log
     */
    public static MotoServer start() {
        int port = freeLoopbackPort();
        Path log;
        Process process;
        try {
            log = Files.createTempFile("rotor-bench-moto-", ".log");
            process = new ProcessBuilder(List.of(
                            "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", Integer.toString(port)))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start moto (python3 -m moto.server): is moto[server] installed?", e);
        }
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            server.awaitAnswer();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The base URI to point an AWS SDK client at ({@code endpointOverride}). */
    public URI endpoint() {
        return endpoint;
    }

    private void awaitAnswer() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto exited with status " + process.exitValue() + " before answering; log:\n" + logTail());
            }
            if (answers()) {
                return;
            }
            try {
                // Waiting on a real process to open its port: poll, there is no event to wait for.
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto", e);
            }
        }
        throw new IllegalStateException("moto did not answer on " + endpoint + " within " + STARTUP_TIMEOUT + "; log:\n" + logTail());
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() > 0;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its log. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover log file in the temp dir is harmless
        }
    }
}
