package dev.rotor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.RotorException;
import dev.rotor.audit.AuditVerification.CheckpointStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogVerifierTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private Path log;
    private Path checkpoint;

    @BeforeEach
    void setUp() {
        log = dir.resolve("audit.jsonl");
        checkpoint = dir.resolve("audit.jsonl.checkpoint");
    }

    /** Writes {@code n} events through the sink (which leaves a signed checkpoint on close). */
    private List<String> writeLog(int n) throws Exception {
        JsonlAuditSink.Options options = JsonlAuditSink.Options.defaults()
                .withFsync(false)
                .withCheckpointKey(KEY)
                .withClock(Clock.fixed(NOW, ZoneOffset.UTC));
        try (JsonlAuditSink sink = JsonlAuditSink.open(log, options)) {
            for (int i = 1; i <= n; i++) {
                sink.append(TestEvents.event(i));
            }
        }
        return lines();
    }

    private List<String> lines() throws Exception {
        return new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
    }

    private void rewrite(List<String> lines) throws Exception {
        Files.write(log, lines, StandardCharsets.UTF_8);
    }

    private static String sha256(String line) throws Exception {
        return AuditChain.hex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    }

    /** Recomputes every prev from line {@code fromIndex + 1} on, as a forger without the key would. */
    private static List<String> rechain(List<String> lines, int fromIndex) throws Exception {
        List<String> out = new ArrayList<>(lines);
        for (int i = fromIndex + 1; i < out.size(); i++) {
            ObjectNode node = (ObjectNode) MAPPER.readTree(out.get(i));
            node.put("prev", sha256(out.get(i - 1)));
            out.set(i, MAPPER.writeValueAsString(node));
        }
        return out;
    }

    private AuditVerification verify() {
        return AuditLogVerifier.verify(log, KEY);
    }

    private static AuditProblem problem(long line, String message) {
        return new AuditProblem(line, message);
    }

    @Test
    void anIntactLogVerifies() throws Exception {
        writeLog(10);

        AuditVerification result = verify();

        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.linesChecked()).isEqualTo(10);
        assertThat(result.lastSeq()).isEqualTo(10);
        assertThat(result.unlistedProblems()).isZero();
        assertThat(result.checkpoint()).isEqualTo(CheckpointStatus.VERIFIED);
    }

    @Test
    void anEmptyLogWithItsCheckpointVerifies() throws Exception {
        writeLog(0);

        AuditVerification result = verify();

        assertThat(result.ok()).isTrue();
        assertThat(result.linesChecked()).isZero();
        assertThat(result.lastSeq()).isZero();
    }

    @Test
    void anEditedLineIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.set(3, lines.get(3).replace("\"actor-4\"", "\"mallory\""));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(4, "line 4: edited: its hash does not match the prev recorded on line 5"));
    }

    @Test
    void anEditedLastLineIsCaughtByTheCheckpoint() throws Exception {
        List<String> lines = writeLog(10);
        lines.set(9, lines.get(9).replace("\"actor-10\"", "\"mallory\""));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(problem(10, "line 10: its hash differs from the one the checkpoint"
                + " records for seq 10: the line was edited, or the chain was rewritten from an earlier line"));
    }

    @Test
    void aChainRewrittenAfterAnEditIsCaughtByTheCheckpoint() throws Exception {
        List<String> lines = writeLog(10);
        lines.set(2, lines.get(2).replace("\"actor-3\"", "\"mallory\""));
        rewrite(rechain(lines, 2));

        assertThat(verify().problems()).containsExactly(problem(10, "line 10: its hash differs from the one the checkpoint"
                + " records for seq 10: the line was edited, or the chain was rewritten from an earlier line"));
    }

    @Test
    void aDeletedLineIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.remove(4);
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(5, "line 5: seq 6 expected 5 (a line was deleted or moved before it)"));
    }

    @Test
    void aDeletedFirstLineIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.remove(0);
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(1, "line 1: seq 2 expected 1 (a line was deleted or moved before it)"));
    }

    @Test
    void severalDeletedLinesAreOneProblem() throws Exception {
        List<String> lines = writeLog(10);
        lines.subList(3, 6).clear();
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(4, "line 4: seq 7 expected 4 (3 lines were deleted or moved before it)"));
    }

    @Test
    void twoSwappedLinesAreNamed() throws Exception {
        List<String> lines = writeLog(10);
        Collections.swap(lines, 2, 3);
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(3, "line 3: seq 4 expected 3 (lines 3 and 4 were swapped)"));
    }

    @Test
    void theLastTwoLinesSwappedAreNamed() throws Exception {
        List<String> lines = writeLog(10);
        Collections.swap(lines, 8, 9);
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(9, "line 9: seq 10 expected 9 (lines 9 and 10 were swapped)"));
    }

    @Test
    void aLineMovedLaterIsNamedAtBothEnds() throws Exception {
        List<String> lines = writeLog(10);
        lines.add(7, lines.remove(2));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(3, "line 3: seq 4 expected 3 (the line with seq 3 was moved to line 8)"),
                problem(8, "line 8: seq 3 expected 9 (it belongs before line 3: it was moved)"));
    }

    @Test
    void aLineMovedEarlierIsOneProblem() throws Exception {
        List<String> lines = writeLog(10);
        lines.add(2, lines.remove(7));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(problem(3,
                "line 3: seq 8 expected 3 (this line was moved here from later: it belongs between lines 8 and 9)"));
    }

    @Test
    void aCopiedEarlierLineIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.add(6, lines.get(1));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(problem(7,
                "line 7: seq 2 expected 7 (seq 2 already appeared: the line is a copy, or was moved here from earlier)"));
    }

    @Test
    void aCopiedLaterLineIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.add(2, lines.get(7));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(problem(3, "line 3: seq 8 expected 3 (a copy of line 9)"));
    }

    @Test
    void anEditedSeqIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.set(4, lines.get(4).replace("{\"seq\":5,", "{\"seq\":50,"));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(5, "line 5: seq 50 expected 5 (the line was edited: the lines after it continue from 5)"));
    }

    @Test
    void anEditedPrevIsBlamedOnItsOwnLine() throws Exception {
        List<String> lines = writeLog(10);
        lines.set(4, lines.get(4).replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + "ab".repeat(32) + "\""));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(problem(5,
                "line 5: edited: its prev does not match line 4 and its hash does not match the prev recorded on line 6"));
    }

    @Test
    void anEditedFirstPrevIsNamed() throws Exception {
        List<String> lines = writeLog(5);
        lines.set(0, lines.get(0).replace("\"prev\":\"" + "0".repeat(64) + "\"", "\"prev\":\"" + "1".repeat(64) + "\""));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(1, "line 1: prev should be 64 zeros on the first record: the line was edited"));
    }

    @Test
    void aMalformedLineIsNamedAndTheChainGoesOnPastIt() throws Exception {
        List<String> lines = writeLog(10);
        lines.set(5, "this is not json");
        rewrite(lines);

        AuditVerification result = verify();

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).startsWith("line 6: not valid JSON at column ");
        });
        assertThat(result.lastSeq()).isEqualTo(10);
    }

    @Test
    void anInsertedLineThatIsNoRecordIsNamed() throws Exception {
        List<String> lines = writeLog(10);
        lines.add(4, "{\"hello\":1}");
        lines.add(7, "");
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(5, "line 5: a JSON object, but not an audit record (it has none of the audit fields)"),
                problem(8, "line 8: empty line"));
    }

    @Test
    void anOverlongLineIsNamedWithoutParsingIt() throws Exception {
        List<String> lines = writeLog(5);
        lines.add(2, "{\"seq\":\"" + "x".repeat(AuditLogVerifier.MAX_LINE_BYTES + 10) + "\"}");
        rewrite(lines);

        AuditVerification result = verify();

        assertThat(result.problems()).containsExactly(
                problem(3, "line 3: longer than 1048576 bytes: not an audit record"));
        assertThat(result.lastSeq()).isEqualTo(5);
    }

    @Test
    void missingAndUnknownFieldsAreProblemsNotCrashes() throws Exception {
        List<String> lines = writeLog(5);
        ObjectNode node = (ObjectNode) MAPPER.readTree(lines.get(1));
        node.remove("actor");
        node.put("extra", "x");
        node.put("count", "many");
        lines.set(1, MAPPER.writeValueAsString(node));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(2, "line 2: unknown field 'extra'"),
                problem(2, "line 2: missing field 'actor'"),
                problem(2, "line 2: field 'count' must be a whole number of at least 1"));
    }

    @Test
    void aLineWithoutSeqOrPrevIsNamed() throws Exception {
        List<String> lines = writeLog(5);
        ObjectNode node = (ObjectNode) MAPPER.readTree(lines.get(2));
        node.remove("seq");
        node.put("prev", "not-a-hash");
        lines.set(2, MAPPER.writeValueAsString(node));
        rewrite(lines);

        assertThat(verify().problems()).containsExactly(
                problem(3, "line 3: missing field 'seq'"),
                problem(3, "line 3: field 'prev' must be 64 lowercase hex digits"));
    }

    @Test
    void aCutOffLastLineIsNamed() throws Exception {
        writeLog(10);
        Files.writeString(log, "{\"seq\":11,\"prev\":\"ab", StandardOpenOption.APPEND);

        AuditVerification result = verify();

        assertThat(result.problems()).containsExactly(problem(11, "line 11: cut off: the last line has no line end (a crash"
                + " while it was being written, or the file was cut mid-line); the sink removes it when it next opens the log"));
        assertThat(result.linesChecked()).isEqualTo(11);
        assertThat(result.lastSeq()).isEqualTo(10);
    }

    @Test
    void aTruncatedTailIsCaughtByTheCheckpoint() throws Exception {
        List<String> lines = writeLog(10);
        rewrite(lines.subList(0, 8));

        assertThat(verify().problems()).containsExactly(problem(9, "line 9: missing: the checkpoint (written 2025-06-01T00:00:00Z)"
                + " records seq 10, but the log ends at seq 8 on line 8: its tail was cut off"));
    }

    @Test
    void withoutACheckpointATruncatedTailGoesUnnoticed() throws Exception {
        List<String> lines = writeLog(10);
        rewrite(lines.subList(0, 8));
        Files.delete(checkpoint);

        AuditVerification unkeyed = AuditLogVerifier.verify(log);
        assertThat(unkeyed.ok()).isTrue();
        assertThat(unkeyed.checkpoint()).isEqualTo(CheckpointStatus.NONE);

        assertThat(verify().problems()).containsExactly(problem(0, "checkpoint " + checkpoint + " does not exist: a cut-off"
                + " tail cannot be detected (the sink writes it whenever it writes the log; was it deleted?)"));
    }

    @Test
    void aForgedCheckpointIsCaught() throws Exception {
        List<String> lines = writeLog(10);
        rewrite(lines.subList(0, 8));
        AuditCheckpoint forged = AuditCheckpoint.create(8, sha256(lines.get(7)), NOW, OTHER_KEY);
        Files.write(checkpoint, forged.toJson());

        AuditVerification result = verify();

        assertThat(result.problems()).containsExactly(problem(8, "checkpoint " + checkpoint + ": its HMAC does not match"
                + " the key (forged, altered, or signed with another key); it claims seq 8, line 8"));
        assertThat(result.checkpoint()).isEqualTo(CheckpointStatus.INVALID);
        // Without the key the forgery is consistent with the log and cannot be told apart.
        AuditVerification unkeyed = AuditLogVerifier.verify(log);
        assertThat(unkeyed.ok()).isTrue();
        assertThat(unkeyed.checkpoint()).isEqualTo(CheckpointStatus.SIGNED_NOT_CHECKED);
    }

    @Test
    void anAlteredCheckpointSeqIsCaught() throws Exception {
        writeLog(10);
        String text = Files.readString(checkpoint);
        Files.writeString(checkpoint, text.replace("\"seq\":10,", "\"seq\":12,"));

        assertThat(verify().problems()).containsExactly(problem(11, "checkpoint " + checkpoint + ": its HMAC does not match"
                + " the key (forged, altered, or signed with another key); it claims seq 12, line 11"));
    }

    @Test
    void anUnsignedCheckpointIsNotTrustedWhenAKeyIsGiven() throws Exception {
        List<String> lines = writeLog(10);
        Files.write(checkpoint, AuditCheckpoint.create(10, sha256(lines.get(9)), NOW, null).toJson());

        AuditVerification result = verify();

        assertThat(result.problems()).containsExactly(problem(0, "checkpoint " + checkpoint + " is unsigned although a key"
                + " was given: anyone who can write the file could have written it"));
        assertThat(result.checkpoint()).isEqualTo(CheckpointStatus.UNSIGNED);
    }

    @Test
    void anUnreadableCheckpointIsAProblem() throws Exception {
        writeLog(3);
        Files.writeString(checkpoint, "not a checkpoint");

        AuditVerification result = verify();

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isZero();
            assertThat(p.message()).startsWith("checkpoint " + checkpoint + " is not a valid checkpoint (not valid JSON");
        });
        assertThat(result.checkpoint()).isEqualTo(CheckpointStatus.INVALID);
    }

    @Test
    void onlyTheFirstTwentyProblemsAreListed() throws Exception {
        List<String> lines = writeLog(61);
        for (int i = 1; i < 60; i += 2) {
            lines.set(i, lines.get(i).replace("\"actor-" + (i + 1) + "\"", "\"mallory\""));
        }
        rewrite(lines);

        AuditVerification result = verify();

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).hasSize(AuditLogVerifier.MAX_PROBLEMS);
        assertThat(result.unlistedProblems()).isEqualTo(10);
        assertThat(result.problems()).extracting(AuditProblem::line)
                .containsExactly(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L, 20L, 22L, 24L, 26L, 28L, 30L, 32L, 34L, 36L, 38L, 40L);
    }

    @Test
    void aMissingLogCannotBeVerified() {
        assertThatThrownBy(() -> AuditLogVerifier.verify(dir.resolve("nope.jsonl")))
                .isInstanceOf(RotorException.class)
                .hasMessageContaining("cannot read audit log");
    }
}
