package dev.rotor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.audit.AuditRetention.Disposal;
import dev.rotor.audit.AuditVerification.CheckpointStatus;
import dev.rotor.internal.store.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlAuditSinkRolloverTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-05-01T10:00:00Z"));

    private Path log() {
        return dir.resolve("audit.jsonl").toAbsolutePath();
    }

    private JsonlAuditSink.Options options(AuditRollover rollover, AuditRetention retention) {
        // Without fsync: these tests are about files and chains, not durability, and write many lines.
        return JsonlAuditSink.Options.defaults().withClock(clock).withCheckpointKey(KEY).withFsync(false)
                .withRollover(rollover).withRetention(retention);
    }

    private JsonlAuditSink.Options bySize(Disposal disposal) {
        return options(AuditRollover.of(AuditRollover.MIN_BYTES, false), new AuditRetention(Duration.ofDays(90), disposal));
    }

    /** Appends events numbered from..to-1 one at a time, so each batch is one event. */
    private static void append(JsonlAuditSink sink, int from, int to) {
        for (int i = from; i < to; i++) {
            sink.append(TestEvents.event(i));
        }
    }

    private List<AuditSegments.Segment> segments() throws IOException {
        return AuditSegments.list(log());
    }

    private static List<String> lines(Path file, boolean gzipped) throws IOException {
        try (InputStream in = AuditSegments.open(file, gzipped)) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
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

    private static void age(Path file, Instant lastWritten) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(lastWritten));
    }

    @Test
    void bySizeTheLogRollsOverAndTheChainContinuesAcrossFiles() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            append(sink, 0, 600);
        }

        List<AuditSegments.Segment> segments = segments();
        assertThat(segments).hasSizeGreaterThanOrEqualTo(2);
        assertThat(segments.get(0).firstSeq()).isEqualTo(1);
        List<Path> files = new ArrayList<>(segments.stream().map(AuditSegments.Segment::path).toList());
        files.add(log());
        long expectedSeq = 1;
        String prev = AuditChain.ZERO_HASH;
        for (Path f : files) {
            List<String> lines = lines(f, false);
            if (!f.equals(log())) {
                // A rolled-over file is named after its first seq and reached the size limit.
                assertThat(f.getFileName().toString()).isEqualTo("audit.jsonl." + expectedSeq);
                assertThat(Files.size(f)).isGreaterThanOrEqualTo(AuditRollover.MIN_BYTES);
            }
            for (String line : lines) {
                JsonNode node = json(line);
                assertThat(node.get("seq").longValue()).isEqualTo(expectedSeq++);
                assertThat(node.get("prev").textValue()).isEqualTo(prev);
                prev = sha256(line);
            }
        }
        assertThat(expectedSeq).isEqualTo(601);

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);
        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.files()).containsExactlyElementsOf(files);
        assertThat(result.linesChecked()).isEqualTo(600);
        assertThat(result.firstSeq()).isEqualTo(1);
        assertThat(result.lastSeq()).isEqualTo(600);
        assertThat(result.checkpoint()).isEqualTo(CheckpointStatus.VERIFIED);
        assertThat(result.anchor()).isEqualTo(CheckpointStatus.NONE);
    }

    @Test
    void dailyTheFirstBatchOfANewDayStartsANewFile() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), options(AuditRollover.of(0, true), AuditRetention.DEFAULT))) {
            append(sink, 0, 3);
            clock.advance(Duration.ofHours(13)); // 23:00, same day
            append(sink, 3, 4);
            assertThat(segments()).isEmpty();
            clock.advance(Duration.ofHours(2)); // 01:00 the next day
            append(sink, 4, 6);
        }

        assertThat(segments()).extracting(s -> s.path().getFileName().toString()).containsExactly("audit.jsonl.1");
        assertThat(lines(dir.resolve("audit.jsonl.1"), false)).hasSize(4);
        assertThat(lines(log(), false)).extracting(l -> json(l).get("seq").longValue()).containsExactly(5L, 6L);
        assertThat(AuditLogVerifier.verifyLog(log(), KEY).ok()).isTrue();
    }

    @Test
    void reopenedAfterARolloverWithNoNewFileTheChainContinuesFromTheNewestRolledFile() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            append(sink, 0, 300);
        }
        // As after a crash between the rename and the first write to the new file.
        List<String> active = lines(log(), false);
        long lastSeqInRolled = json(active.get(0)).get("seq").longValue() - 1;
        Files.delete(log());
        Files.move(dir.resolve("audit.jsonl.checkpoint"), dir.resolve("checkpoint.aside"));
        Path newest = segments().get(segments().size() - 1).path();
        List<String> newestLines = lines(newest, false);

        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            sink.append(TestEvents.event(1000));
        }

        JsonNode first = json(lines(log(), false).get(0));
        assertThat(first.get("seq").longValue()).isEqualTo(lastSeqInRolled + 1);
        assertThat(first.get("prev").textValue()).isEqualTo(sha256(newestLines.get(newestLines.size() - 1)));
        assertThat(AuditLogVerifier.verifyLog(log(), KEY).problems()).isEmpty();
    }

    @Test
    void aRolloverThatCannotRenameKeepsWritingTheSameFileAndTriesAgainLater() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            // Something takes the name the first rolled-over file would get.
            Files.writeString(dir.resolve("audit.jsonl.1"), "not ours\n");
            append(sink, 0, 400);
            assertThat(Files.readString(dir.resolve("audit.jsonl.1"))).isEqualTo("not ours\n");
            assertThat(lines(log(), false)).hasSize(400);

            Files.delete(dir.resolve("audit.jsonl.1"));
            clock.advance(Duration.ofMinutes(1));
            append(sink, 400, 401);
        }

        assertThat(segments()).extracting(s -> s.path().getFileName().toString()).containsExactly("audit.jsonl.1");
        assertThat(lines(dir.resolve("audit.jsonl.1"), false)).hasSize(400);
        assertThat(lines(log(), false)).extracting(l -> json(l).get("seq").longValue()).containsExactly(401L);
        assertThat(AuditLogVerifier.verifyLog(log(), KEY).problems()).isEmpty();
    }

    @Test
    void retentionRunsByItselfAfterARollover() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            append(sink, 0, 300);
            Path oldest = segments().get(0).path();
            age(oldest, clock.instant().minus(Duration.ofDays(91)));

            append(sink, 300, 600); // rolls over again, which schedules a retention pass

            Path archived = oldest.resolveSibling(oldest.getFileName() + ".gz");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.exists(archived) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(archived).exists();
        }
        assertThat(AuditLogVerifier.verifyLog(log(), KEY).problems()).isEmpty();
    }

    @Test
    void reopeningALogKeepsItLockedAgainstOtherProcesses() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            append(sink, 0, 3);
        }
        // Reopening reads the first line (for the rolled-over file's name); on POSIX, closing any other
        // descriptor of the file would drop the lock, so another process could open the log too.
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            sink.append(TestEvents.event(3));
            Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), log().toString())
                    .redirectErrorStream(true).start();
            assertThat(probe.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the probe finished").isTrue();
            assertThat(probe.exitValue()).as("exit 0: the lock is held by this process; 3: it was free")
                    .isZero();
        }
    }

    @Test
    void gzipRetentionCompressesOldFilesAndVerifyStillReadsThem() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            append(sink, 0, 600);
            List<AuditSegments.Segment> before = segments();
            age(before.get(0).path(), clock.instant().minus(Duration.ofDays(91)));
            age(before.get(1).path(), clock.instant().minus(Duration.ofDays(89)));

            // A pass may also run in the background after a rollover; either way the files end up so.
            sink.maintainNow();

            List<AuditSegments.Segment> after = segments();
            assertThat(after).extracting(AuditSegments.Segment::gzipped).startsWith(true, false);
            assertThat(after.get(0).path().getFileName().toString()).isEqualTo("audit.jsonl.1.gz");
            assertThat(before.get(0).path()).doesNotExist();
            assertThat(lines(after.get(0).path(), true)).isEqualTo(readPlainCopy(after.get(0).path()));
            append(sink, 600, 610);
        }

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);
        assertThat(result.problems()).isEmpty();
        assertThat(result.lastSeq()).isEqualTo(610);
        assertThat(result.files().get(0).getFileName().toString()).isEqualTo("audit.jsonl.1.gz");
    }

    private static List<String> readPlainCopy(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    @Test
    void deleteRetentionRemovesTheOldestFilesBehindASignedAnchorThatVerifyChecks() throws Exception {
        long lastDeletedSeq;
        String lastDeletedHash;
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            append(sink, 0, 800);
            List<AuditSegments.Segment> before = segments();
            assertThat(before).hasSizeGreaterThanOrEqualTo(3);
            // The two oldest expired, then one that has not: only a contiguous oldest stretch goes.
            age(before.get(0).path(), clock.instant().minus(Duration.ofDays(100)));
            age(before.get(1).path(), clock.instant().minus(Duration.ofDays(95)));
            age(before.get(2).path(), clock.instant().minus(Duration.ofDays(10)));
            List<String> second = lines(before.get(1).path(), false);
            lastDeletedSeq = json(second.get(second.size() - 1)).get("seq").longValue();
            lastDeletedHash = sha256(second.get(second.size() - 1));

            sink.maintainNow();

            assertThat(before.get(0).path()).doesNotExist();
            assertThat(before.get(1).path()).doesNotExist();
            assertThat(before.get(2).path()).exists();
        }

        AuditCheckpoint anchor = AuditCheckpoint.readAnchor(log()).orElseThrow();
        assertThat(anchor.seq()).isEqualTo(lastDeletedSeq);
        assertThat(anchor.hash()).isEqualTo(lastDeletedHash);
        assertThat(anchor.macMatches(AuditCheckpoint.ANCHOR_FORMAT, KEY)).isTrue();

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);
        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.firstSeq()).isEqualTo(lastDeletedSeq + 1);
        assertThat(result.lastSeq()).isEqualTo(800);
        assertThat(result.anchor()).isEqualTo(CheckpointStatus.VERIFIED);
    }

    @Test
    void withEveryRolledFileDeletedTheSinkContinuesTheChainFromTheAnchor() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            append(sink, 0, 300);
        }
        // Roll the rest into a file of its own so that the file being written is empty.
        long rolledUpTo;
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            rolledUpTo = 300;
            for (AuditSegments.Segment s : segments()) {
                age(s.path(), clock.instant().minus(Duration.ofDays(91)));
            }
            sink.maintainNow();
        }
        assertThat(segments()).isEmpty();
        Path active = log();
        List<String> activeLines = lines(active, false);
        // Move what the file being written holds into a rolled file and delete that too, as a later retention would.
        long firstActive = json(activeLines.get(0)).get("seq").longValue();
        Files.move(active, AuditSegments.pathFor(active, firstActive));
        age(AuditSegments.pathFor(active, firstActive), clock.instant().minus(Duration.ofDays(91)));
        AuditSegments.applyRetention(active, new AuditRetention(Duration.ofDays(90), Disposal.DELETE), clock.instant(), KEY, true);
        assertThat(AuditCheckpoint.readAnchor(active).orElseThrow().seq()).isEqualTo(rolledUpTo);

        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            sink.append(TestEvents.event(5000));
        }

        JsonNode first = json(lines(log(), false).get(0));
        assertThat(first.get("seq").longValue()).isEqualTo(rolledUpTo + 1);
        assertThat(first.get("prev").textValue()).isEqualTo(AuditCheckpoint.readAnchor(active).orElseThrow().hash());
        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);
        assertThat(result.problems()).isEmpty();
        assertThat(result.firstSeq()).isEqualTo(rolledUpTo + 1);
    }

    @Test
    void verifyReportsOldFilesDeletedWithoutAnAnchor() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            append(sink, 0, 600);
        }
        Files.delete(segments().get(0).path());

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);

        assertThat(result.ok()).isFalse();
        assertThat(result.anchor()).isEqualTo(CheckpointStatus.NONE);
        assertThat(result.problems()).hasSize(1);
        assertThat(result.problems().get(0).line()).isEqualTo(1);
        assertThat(result.problems().get(0).message()).matches("line 1: seq \\d+ expected 1 \\(\\d+ lines were deleted or moved before it\\)");
    }

    @Test
    void verifyReportsAMissingMiddleFileAndAnEditInACompressedFile() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            append(sink, 0, 900);
        }
        List<AuditSegments.Segment> segments = segments();
        assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
        Path middle = segments.get(1).path();
        long middleLines = lines(middle, false).size();
        Files.delete(middle);
        // Edit line 2 of the first file and store it compressed.
        List<String> first = new ArrayList<>(lines(segments.get(0).path(), false));
        first.set(1, first.get(1).replace("\"actor\":\"actor-1\"", "\"actor\":\"someone\""));
        Files.delete(segments.get(0).path());
        writeGzip(dir.resolve("audit.jsonl.1.gz"), String.join("\n", first) + "\n");

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).extracting(p -> p.file().getFileName().toString() + ":" + p.message())
                .containsExactly(
                        "audit.jsonl.1.gz:line 2: edited: its hash does not match the prev recorded on line 3",
                        segments.get(2).path().getFileName() + ":line 1: seq " + segments.get(2).firstSeq() + " expected "
                                + segments.get(1).firstSeq() + " (" + middleLines + " lines were deleted or moved before it)");
    }

    private static void writeGzip(Path file, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        Files.write(file, bytes.toByteArray());
    }

    @Test
    void verifyRejectsAnAnchorSignedWithAnotherKey() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            append(sink, 0, 600);
            age(segments().get(0).path(), clock.instant().minus(Duration.ofDays(91)));
            sink.maintainNow();
        }
        AuditCheckpoint real = AuditCheckpoint.readAnchor(log()).orElseThrow();
        AuditCheckpoint.create(AuditCheckpoint.ANCHOR_FORMAT, real.seq(), real.hash(), real.time(), OTHER_KEY)
                .writeAnchor(log(), false);

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);

        assertThat(result.ok()).isFalse();
        assertThat(result.anchor()).isEqualTo(CheckpointStatus.INVALID);
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(AuditCheckpoint.anchorPathFor(log()));
            assertThat(p.line()).isZero();
            assertThat(p.message()).contains("its HMAC does not match the key");
        });
    }

    @Test
    void aCheckpointCopiedOverTheAnchorDoesNotPassForOne() throws Exception {
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.DELETE))) {
            append(sink, 0, 600);
            age(segments().get(0).path(), clock.instant().minus(Duration.ofDays(91)));
            sink.maintainNow();
        }
        Files.copy(AuditCheckpoint.pathFor(log()), AuditCheckpoint.anchorPathFor(log()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        AuditLogVerification result = AuditLogVerifier.verifyLog(log(), KEY);

        assertThat(result.ok()).isFalse();
        assertThat(result.anchor()).isEqualTo(CheckpointStatus.INVALID);
        assertThat(result.problems()).extracting(AuditFileProblem::message)
                .anySatisfy(m -> assertThat(m).contains("is not a valid anchor"));
    }

    @Test
    void theQueueDepthGaugeIsRegisteredUnderItsName() {
        MetricRegistry registry = new MetricRegistry();
        try (JsonlAuditSink sink = JsonlAuditSink.open(log(), bySize(Disposal.GZIP))) {
            sink.registerQueueDepthGauge(registry);
            sink.append(TestEvents.event(1));
            Gauge<?> gauge = registry.getGauges().get(JsonlAuditSink.QUEUE_DEPTH_GAUGE);
            assertThat(gauge).isNotNull();
            // Every append has returned, so nothing waits.
            assertThat(gauge.getValue()).isEqualTo(0);
            assertThatThrownBy(() -> sink.registerQueueDepthGauge(registry)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rolloverAndRetentionReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> new AuditRollover(100, false, null))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("rollover.maxSize", "rollover.zone"));
        assertThatThrownBy(() -> new AuditRetention(Duration.ZERO, null))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("retention", "archive"));
        assertThat(AuditRollover.NEVER.enabled()).isFalse();
        assertThat(new AuditRollover(0, true, ZoneOffset.UTC).enabled()).isTrue();
    }
}
