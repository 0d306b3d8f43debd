package dev.rotor.benchmarks;

import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.audit.JsonlAuditSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Durable audit appends per second: every call returns only once its event is written and
 * fsynced by the hash-chained {@link JsonlAuditSink} (group commit). Run with {@code -t 1, 4, 16,
 * 64} (see {@code run.sh}); the score is durable events per second over all threads.
 *
 * <p>The log goes to a new directory under {@code java.io.tmpdir}, which must be on the disk
 * being measured (not a tmpfs), and is deleted after each trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditAppendBenchmark {

    /** One sink shared by every appending thread, fsync on, default checkpoints. */
    @State(Scope.Benchmark)
    public static class Sink {
        private Path dir;
        private JsonlAuditSink sink;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("rotor-bench-audit-");
            sink = JsonlAuditSink.open(dir.resolve("audit.jsonl"), JsonlAuditSink.Options.defaults().withFsync(true));
        }

        public JsonlAuditSink sink() {
            return sink;
        }

        /** The log file (deleted by {@link #close}). */
        public Path file() {
            return sink.file();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            if (sink != null) {
                sink.close();
            }
            if (dir != null) {
                TempDirs.deleteRecursively(dir);
            }
        }
    }

    /** A typical read event, one per thread (the sink encodes and chains each append anew). */
    @State(Scope.Thread)
    public static class Event {
        private AuditEvent event;

        @Setup(Level.Trial)
        public void create() {
            event = AuditEvent.single(Instant.now(), "billing-service", AuditAction.GET, "bench", BenchmarkSecret.PATH,
                    "3", "stage=current", AuditOutcome.SUCCESS, UUID.randomUUID().toString(), null);
        }

        public AuditEvent event() {
            return event;
        }
    }

    @Benchmark
    public void durableAppend(Sink sink, Event event) {
        sink.sink().append(event.event());
    }
}
