package dev.rotor.cli;

import dev.rotor.spi.ProviderRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link RotorCli} in-process over captured streams, a fixed clock and an injected environment. */
final class CliHarness {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    /** What one run printed and returned. */
    record Result(int exitCode, byte[] outBytes, String err) {
        String out() {
            return new String(outBytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out() + "--- stderr\n" + err;
        }
    }

    final Path dir;
    final Map<String, String> env = new HashMap<>();
    private final ProviderRegistry providers;
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    CliHarness(Path dir, ProviderRegistry providers) {
        this.dir = dir;
        this.providers = providers;
        env.put("USER", "tester");
        env.put("HOSTNAME", "testhost");
    }

    CliHarness config(String yaml) throws IOException {
        Files.writeString(dir.resolve("rotor.yaml"), yaml);
        return this;
    }

    Result run(String... args) {
        return runWithInput(new byte[0], args);
    }

    Result runWithInput(String stdin, String... args) {
        return runWithInput(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    Result runWithInput(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment environment = new CliEnvironment(new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env::get, dir, clock, providers);
        int code = new RotorCli(environment).run(args);
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
