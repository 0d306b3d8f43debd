package dev.rotor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditCheckpointTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String HASH = "ab".repeat(32);
    private static final Instant TIME = Instant.parse("2025-06-01T12:00:00.5Z");

    @TempDir
    Path dir;

    @Test
    void aSignedCheckpointRoundTripsAndOnlyItsKeyMatches() {
        AuditCheckpoint cp = AuditCheckpoint.create(42, HASH, TIME, KEY);

        AuditCheckpoint read = AuditCheckpoint.parse(cp.toJson());

        assertThat(read).isEqualTo(cp);
        assertThat(read.signed()).isTrue();
        assertThat(read.macMatches(KEY)).isTrue();
        assertThat(read.macMatches("another-key-of-16-bytes-or-more".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(new AuditCheckpoint(43, HASH, TIME, cp.mac()).macMatches(KEY)).isFalse();
    }

    @Test
    void anUnsignedCheckpointMatchesNoKey() {
        AuditCheckpoint cp = AuditCheckpoint.parse(AuditCheckpoint.create(1, HASH, TIME, null).toJson());

        assertThat(cp.signed()).isFalse();
        assertThat(cp.macMatches(KEY)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1]|not a JSON object",
        "{\"format\":\"rotor-audit-checkpoint/1\",\"seq\":1,\"hash\":\"HASH\",\"time\":\"2025-06-01T12:00:00Z\",\"mac\":null,\"x\":1}|unknown field 'x'",
        "{\"format\":\"other/2\",\"seq\":1,\"hash\":\"HASH\",\"time\":\"2025-06-01T12:00:00Z\",\"mac\":null}|field 'format' must be \"rotor-audit-checkpoint/1\"",
        "{\"format\":\"rotor-audit-checkpoint/1\",\"seq\":-1,\"hash\":\"HASH\",\"time\":\"2025-06-01T12:00:00Z\",\"mac\":null}|field 'seq' must be a whole number of at least 0",
        "{\"format\":\"rotor-audit-checkpoint/1\",\"seq\":1,\"hash\":\"ABC\",\"time\":\"2025-06-01T12:00:00Z\",\"mac\":null}|field 'hash' must be 64 lowercase hex digits",
        "{\"format\":\"rotor-audit-checkpoint/1\",\"seq\":1,\"hash\":\"HASH\",\"time\":\"noon\",\"mac\":null}|field 'time' must be an ISO-8601 instant",
        "{\"format\":\"rotor-audit-checkpoint/1\",\"seq\":1,\"hash\":\"HASH\",\"time\":\"2025-06-01T12:00:00Z\"}|field 'mac' must be 64 lowercase hex digits or null",
    })
    void aBadCheckpointSaysWhatIsWrong(String json, String problem) {
        assertThatThrownBy(() -> AuditCheckpoint.parse(json.replace("HASH", HASH).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(problem);
    }

    @Test
    void anOversizedCheckpointFileIsRejectedWithoutReadingIt() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Files.write(AuditCheckpoint.pathFor(log), new byte[10_000]);

        assertThatThrownBy(() -> AuditCheckpoint.read(log))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("larger than 4096 bytes");
    }

    @Test
    void writeReplacesTheCheckpointAndLeavesNoTemporaryFile() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        AuditCheckpoint.create(1, HASH, TIME, KEY).write(log, true);
        AuditCheckpoint second = AuditCheckpoint.create(2, "cd".repeat(32), TIME.plusSeconds(1), KEY);

        second.write(log, true);

        assertThat(AuditCheckpoint.read(log)).contains(second);
        assertThat(AuditCheckpoint.tempPathFor(log)).doesNotExist();
        assertThat(AuditCheckpoint.read(dir.resolve("other.jsonl"))).isEmpty();
    }
}
