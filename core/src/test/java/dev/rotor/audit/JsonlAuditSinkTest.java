package dev.rotor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.internal.store.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class JsonlAuditSinkTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private Path log;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger sinkLogger = (Logger) LoggerFactory.getLogger(JsonlAuditSink.class);

    @BeforeEach
    void setUp() {
        log = dir.resolve("audit.jsonl");
        logged.start();
        sinkLogger.addAppender(logged);
    }

    @AfterEach
    void tearDown() {
        sinkLogger.detachAppender(logged);
    }

    private static JsonlAuditSink.Options options() {
        return JsonlAuditSink.Options.defaults()
                .withClock(Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    private static JsonNode json(String line) {
        try {
            return AuditEventCodec.readTree(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String line) throws Exception {
        return AuditChain.hex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyFieldRoundTripsThroughTheFileAndEachLineLinksToThePreviousOne() throws Exception {
        List<AuditEvent> events = IntStream.range(0, 6).mapToObj(TestEvents::event).toList();
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            for (AuditEvent e : events) {
                sink.append(e);
            }
        }

        List<String> lines = lines();
        assertThat(lines).hasSize(6);
        String prev = "0".repeat(64);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node = json(lines.get(i));
            assertThat(node.get("seq").longValue()).isEqualTo(i + 1);
            assertThat(node.get("prev").textValue()).isEqualTo(prev);
            assertThat(AuditEventCodec.decode(node, Set.of("seq", "prev")))
                    .isEqualTo(new AuditEventCodec.Decoded.Valid(events.get(i)));
            prev = sha256(lines.get(i));
        }
        assertThat(lines.get(0)).startsWith("{\"seq\":1,\"prev\":\"" + "0".repeat(64) + "\",\"time\":\"2025-05-01T10:15:30.123456789Z\"");
    }

    @Test
    void theChainContinuesAfterReopening() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            sink.append(TestEvents.event(1));
            sink.append(TestEvents.event(2));
        }
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            sink.appendAll(List.of(TestEvents.event(3), TestEvents.event(4), TestEvents.event(5)));
        }

        List<String> lines = lines();
        assertThat(lines).extracting(l -> json(l).get("seq").longValue()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(json(lines.get(2)).get("prev").textValue()).isEqualTo(sha256(lines.get(1)));
        AuditVerification result = AuditLogVerifier.verify(log);
        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.lastSeq()).isEqualTo(5);
    }

    @Test
    void aTornLastLineIsCutOffWithAWarningBeforeAppending() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            for (int i = 1; i <= 3; i++) {
                sink.append(TestEvents.event(i));
            }
        }
        long intact = Files.size(log);
        Files.writeString(log, "{\"seq\":4,\"prev\":\"9f86d08", java.nio.file.StandardOpenOption.APPEND);

        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            assertThat(Files.size(log)).isEqualTo(intact);
            sink.append(TestEvents.event(4));
        }

        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains(log.toAbsolutePath().toString())
                        .contains("line 4 (bytes " + intact + " to " + (intact + 24) + ") has no line end"));
        assertThat(lines()).hasSize(4);
        assertThat(AuditLogVerifier.verify(log).ok()).isTrue();
    }

    @Test
    void aTailOfZerosLeftByACrashIsCutOff() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            sink.append(TestEvents.event(1));
        }
        long intact = Files.size(log);
        Files.write(log, new byte[3000], java.nio.file.StandardOpenOption.APPEND);

        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            sink.append(TestEvents.event(2));
        }

        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("line 2 (bytes " + intact + " to " + (intact + 3000) + ") has no line end"));
        assertThat(AuditLogVerifier.verify(log).ok()).isTrue();
        assertThat(lines()).hasSize(2);
    }

    @Test
    void openLeavesAFileThatIsNotAnAuditLogAlone() throws Exception {
        Files.writeString(log, "a document with no line end");

        assertThatThrownBy(() -> JsonlAuditSink.open(log, options()))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("neither the start of an audit record nor zeros");
        assertThat(Files.readString(log)).isEqualTo("a document with no line end");
    }

    @Test
    void openRefusesALogWhoseLastCompleteLineIsNotARecord() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            sink.append(TestEvents.event(1));
        }
        Files.writeString(log, "garbage\n", java.nio.file.StandardOpenOption.APPEND);
        long before = Files.size(log);

        assertThatThrownBy(() -> JsonlAuditSink.open(log, options()))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("the last complete line (from byte")
                .hasMessageContaining("is not an audit record");
        assertThat(Files.size(log)).isEqualTo(before);
    }

    @Test
    void openRefusesALogCutShorterThanItsCheckpoint() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            for (int i = 1; i <= 5; i++) {
                sink.append(TestEvents.event(i));
            }
        }
        List<String> lines = lines();
        Files.write(log, lines.subList(0, 4));

        assertThatThrownBy(() -> JsonlAuditSink.open(log, options()))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("ends at seq 4 but its checkpoint records seq 5");
        assertThat(lines()).hasSize(4);
    }

    @Test
    void openRefusesACheckpointWhoseMacDoesNotMatchTheKey() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options().withCheckpointKey(KEY))) {
            sink.append(TestEvents.event(1));
        }
        byte[] otherKey = "another-key-of-at-least-16-bytes".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> JsonlAuditSink.open(log, options().withCheckpointKey(otherKey)))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("HMAC does not match");
    }

    @Test
    void concurrentAppendersProduceOneContiguousValidChain() throws Exception {
        int threads = 32;
        int perThread = 1_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        sink.append(AuditEvent.single(TestEvents.T0, "t" + thread, AuditAction.GET, "main", "p",
                                null, null, AuditOutcome.SUCCESS, thread + "-" + i, null));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> lines = lines();
        assertThat(lines).hasSize(threads * perThread);
        long[] seqs = new long[lines.size()];
        Set<String> requestIds = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node = json(lines.get(i));
            seqs[i] = node.get("seq").longValue();
            requestIds.add(node.get("requestId").textValue());
        }
        assertThat(seqs).containsExactly(IntStream.rangeClosed(1, threads * perThread).asLongStream().toArray());
        assertThat(requestIds).hasSize(threads * perThread);
        AuditVerification result = AuditLogVerifier.verify(log);
        assertThat(result.problems()).isEmpty();
        assertThat(result.lastSeq()).isEqualTo(threads * perThread);
    }

    @Test
    void appendersThatQueueDuringAnFsyncShareTheNextOne() throws Exception {
        AtomicReference<FlakyFileChannel> channel = new AtomicReference<>();
        JsonlAuditSink.ChannelOpener opener = file -> {
            FlakyFileChannel ch = new FlakyFileChannel(JsonlAuditSink.DEFAULT_OPENER.open(file));
            channel.set(ch);
            return ch;
        };
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options(), opener)) {
            FlakyFileChannel ch = channel.get();
            CountDownLatch gate = new CountDownLatch(1);
            ch.forceGate = gate;
            Future<?> first = pool.submit(() -> sink.append(TestEvents.event(0)));
            ch.forceEntered.await();
            List<Future<?>> others = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                AuditEvent e = TestEvents.event(i);
                others.add(pool.submit(() -> sink.append(e)));
            }
            awaitCondition(() -> sink.queuedEvents() == 10);
            assertThat(first).isNotDone();

            gate.countDown();
            first.get();
            for (Future<?> f : others) {
                f.get();
            }
            assertThat(ch.forces.get()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
        assertThat(lines()).hasSize(11);
    }

    @Test
    void aFailedFsyncFailsTheAppendAndTheSinkRecoversWithTheDisk() throws Exception {
        AtomicReference<FlakyFileChannel> channel = new AtomicReference<>();
        JsonlAuditSink.ChannelOpener opener = file -> {
            FlakyFileChannel ch = new FlakyFileChannel(JsonlAuditSink.DEFAULT_OPENER.open(file));
            channel.set(ch);
            return ch;
        };
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options(), opener)) {
            sink.append(TestEvents.event(1));
            channel.get().failNextForces.set(2);

            assertThatThrownBy(() -> sink.append(TestEvents.event(2)))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("could not record 1 event durably")
                    .cause().isInstanceOf(IOException.class).hasMessage("injected fsync failure");
            assertThatThrownBy(() -> sink.appendAll(List.of(TestEvents.event(3), TestEvents.event(4))))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("could not record 2 events durably");

            sink.append(TestEvents.event(5));
        }

        List<String> lines = lines();
        assertThat(lines).extracting(l -> json(l).get("actor").textValue()).containsExactly("actor-1", "actor-5");
        assertThat(AuditLogVerifier.verify(log).ok()).isTrue();
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("writing works again"));
    }

    @Test
    void aWriteThatFailsHalfwayLeavesNoPartialLineBehind() throws Exception {
        AtomicReference<FlakyFileChannel> channel = new AtomicReference<>();
        JsonlAuditSink.ChannelOpener opener = file -> {
            FlakyFileChannel ch = new FlakyFileChannel(JsonlAuditSink.DEFAULT_OPENER.open(file));
            channel.set(ch);
            return ch;
        };
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options(), opener)) {
            sink.append(TestEvents.event(1));
            channel.get().failNextWrites.set(1);

            assertThatThrownBy(() -> sink.append(TestEvents.event(2)))
                    .isInstanceOf(AuditUnavailableException.class)
                    .cause().hasMessageContaining("No space left on device");

            sink.append(TestEvents.event(3));
        }

        assertThat(lines()).extracting(l -> json(l).get("actor").textValue()).containsExactly("actor-1", "actor-3");
        assertThat(AuditLogVerifier.verify(log).ok()).isTrue();
    }

    @Test
    void aChannelClosedByAFailureIsReopenedForTheNextBatch() throws Exception {
        List<FlakyFileChannel> opened = new ArrayList<>();
        JsonlAuditSink.ChannelOpener opener = file -> {
            FlakyFileChannel ch = new FlakyFileChannel(JsonlAuditSink.DEFAULT_OPENER.open(file));
            synchronized (opened) {
                opened.add(ch);
            }
            return ch;
        };
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options(), opener)) {
            sink.append(TestEvents.event(1));
            opened.get(0).closeOnFailure = true;
            opened.get(0).failNextForces.set(1);

            assertThatThrownBy(() -> sink.append(TestEvents.event(2))).isInstanceOf(AuditUnavailableException.class);
            sink.append(TestEvents.event(3));
        }

        assertThat(opened).hasSize(2);
        assertThat(lines()).extracting(l -> json(l).get("actor").textValue()).containsExactly("actor-1", "actor-3");
        assertThat(AuditLogVerifier.verify(log).ok()).isTrue();
    }

    @Test
    void anUnusableLocationFailsClosedOnOpen() throws Exception {
        Path notADirectory = dir.resolve("plain-file");
        Files.writeString(notADirectory, "x");

        assertThatThrownBy(() -> JsonlAuditSink.open(notADirectory.resolve("audit.jsonl"), options()))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("cannot open audit log")
                .cause().isInstanceOf(IOException.class);
    }

    @Test
    void aFileCanBeOpenedByOneSinkAtATime() {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            assertThatThrownBy(() -> JsonlAuditSink.open(log, options()))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("already open in this process");
            sink.append(TestEvents.event(1));
        }
        try (JsonlAuditSink again = JsonlAuditSink.open(log, options())) {
            again.append(TestEvents.event(2));
        }
        assertThat(AuditLogVerifier.verify(log).lastSeq()).isEqualTo(2);
    }

    @Test
    void appendingAfterCloseFails() {
        JsonlAuditSink sink = JsonlAuditSink.open(log, options());
        sink.close();
        sink.close();

        assertThatThrownBy(() -> sink.append(TestEvents.event(1)))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("is closed");
        assertThat(sink.describe()).isEqualTo("file:" + log.toAbsolutePath());
    }

    @Test
    void closeWritesASignedCheckpointThatTheVerifierAccepts() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options().withCheckpointKey(KEY))) {
            sink.appendAll(List.of(TestEvents.event(1), TestEvents.event(2), TestEvents.event(3)));
        }

        AuditCheckpoint cp = AuditCheckpoint.read(log).orElseThrow();
        List<String> lines = lines();
        assertThat(cp.seq()).isEqualTo(3);
        assertThat(cp.hash()).isEqualTo(sha256(lines.get(2)));
        assertThat(cp.time()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
        assertThat(cp.macMatches(KEY)).isTrue();
        assertThat(Files.exists(AuditCheckpoint.tempPathFor(log))).isFalse();
        AuditVerification result = AuditLogVerifier.verify(log, KEY);
        assertThat(result.ok()).isTrue();
        assertThat(result.checkpoint()).isEqualTo(AuditVerification.CheckpointStatus.VERIFIED);
    }

    @Test
    void withoutAKeyTheCheckpointIsUnsigned() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options())) {
            sink.append(TestEvents.event(1));
        }

        AuditCheckpoint cp = AuditCheckpoint.read(log).orElseThrow();
        assertThat(cp.signed()).isFalse();
        assertThat(AuditLogVerifier.verify(log).checkpoint()).isEqualTo(AuditVerification.CheckpointStatus.UNSIGNED);
    }

    @Test
    void everyBatchCheckpointCoversEachAppendWhenItReturns() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options().withCheckpointEvery(JsonlAuditSink.Options.EVERY_BATCH))) {
            sink.append(TestEvents.event(1));
            assertThat(AuditCheckpoint.read(log).orElseThrow().seq()).isEqualTo(1);
            sink.append(TestEvents.event(2));
            assertThat(AuditCheckpoint.read(log).orElseThrow().seq()).isEqualTo(2);
        }
    }

    @Test
    void aTimedCheckpointIsWrittenOnceTheIntervalHasPassed() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-01T00:00:00Z"));
        JsonlAuditSink.Options opts = options().withClock(clock).withCheckpointEvery(Duration.ofMinutes(1));
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, opts)) {
            sink.append(TestEvents.event(1));
            assertThat(AuditCheckpoint.read(log)).isEmpty();

            clock.advance(Duration.ofMinutes(1));
            sink.append(TestEvents.event(2));
            AuditCheckpoint cp = AuditCheckpoint.read(log).orElseThrow();
            assertThat(cp.seq()).isEqualTo(2);
            assertThat(cp.time()).isEqualTo(Instant.parse("2025-06-01T00:01:00Z"));

            clock.advance(Duration.ofSeconds(30));
            sink.append(TestEvents.event(3));
            assertThat(AuditCheckpoint.read(log).orElseThrow().seq()).isEqualTo(2);
        }
        assertThat(AuditCheckpoint.read(log).orElseThrow().seq()).isEqualTo(3);
    }

    @Test
    void linesLeftUncoveredGetACheckpointOnceTheLogIsQuiet() throws Exception {
        JsonlAuditSink.Options opts = options().withCheckpointEvery(Duration.ofMillis(20));
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, opts)) {
            sink.append(TestEvents.event(1));
            // The quiet-period timer runs on real time; poll for its effect.
            awaitCondition(() -> Files.exists(AuditCheckpoint.pathFor(log.toAbsolutePath())));
            assertThat(AuditCheckpoint.read(log).orElseThrow().seq()).isEqualTo(1);
        }
    }

    @Test
    void withFsyncOffNothingIsForcedButLinesAreStillWritten() throws Exception {
        AtomicReference<FlakyFileChannel> channel = new AtomicReference<>();
        JsonlAuditSink.ChannelOpener opener = file -> {
            FlakyFileChannel ch = new FlakyFileChannel(JsonlAuditSink.DEFAULT_OPENER.open(file));
            channel.set(ch);
            return ch;
        };
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options().withFsync(false), opener)) {
            sink.append(TestEvents.event(1));
            assertThat(lines()).hasSize(1);
        }
        assertThat(channel.get().forces.get()).isZero();
    }

    @Test
    void optionsReportEveryProblemAtOnceAndNeverPrintTheKey() {
        assertThatThrownBy(() -> new JsonlAuditSink.Options(new byte[8], Duration.ofSeconds(-1), true, null))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("checkpointKey", "checkpointEvery", "clock"));
        assertThatThrownBy(() -> JsonlAuditSink.Options.defaults().withCheckpointEvery(Duration.ofDays(2)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("checkpointEvery: must be between zero (every batch) and PT24H");

        byte[] canary = "CANARY-checkpoint-key-7f3a9c".getBytes(StandardCharsets.US_ASCII);
        JsonlAuditSink.Options opts = options().withCheckpointKey(canary);
        assertThat(opts.toString()).doesNotContain("CANARY").contains("<masked>");
        assertThat(opts).isEqualTo(options().withCheckpointKey(canary.clone()));

        canary[0] = 'X';
        assertThat(opts.checkpointKey()).startsWith((byte) 'C');
    }

    /** Polls a condition the test cannot be told about directly; fails after 10 seconds. */
    private static void awaitCondition(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
