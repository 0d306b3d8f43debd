package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionMetaTest {

    @Test
    void aRecordRoundTripsThroughItsTagValue() {
        VersionMeta meta = new VersionMeta(Instant.parse("2025-03-01T10:15:30.123Z"), Map.of("owner", "team-a", "rotation", "90d"));

        String encoded = meta.encode();

        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        assertThat(VersionMeta.fits(encoded)).isTrue();
        assertThat(VersionMeta.decode(encoded)).contains(meta);
    }

    @Test
    void tagKeysNameTheVersion() {
        String key = VersionMeta.tagKey("0f8fad5b-d9cb-469f-a165-70867728950e");

        assertThat(key).isEqualTo("rotor:v:0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(VersionMeta.versionIdOf(key)).contains("0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(VersionMeta.versionIdOf("team")).isEmpty();
        assertThat(VersionMeta.versionIdOf("rotor:v:")).isEmpty();
    }

    @Test
    void tagsTooLargeForOneAwsTagValueDoNotFit() {
        VersionMeta meta = new VersionMeta(Instant.EPOCH, Map.of("description", "x".repeat(200)));

        assertThat(VersionMeta.fits(meta.encode())).isFalse();
    }

    @Test
    void valuesRotorDidNotWriteDecodeToNothing() {
        assertThat(VersionMeta.decode("not base64 !")).isEmpty();
        assertThat(VersionMeta.decode("e30")).as("{} has no creation time").isEmpty();
        assertThat(VersionMeta.decode("")).isEmpty();
    }
}
