package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionMetaTest {

    private static final String ID = "0123456789abcdef0123456789abcdef";
    private static final String ID2 = "fedcba9876543210fedcba9876543210";

    @Test
    void everyFieldRoundTrips() {
        VersionMeta meta = new VersionMeta(ID, Instant.parse("2030-01-02T03:04:05.123456Z"), ID2, ID, "abcdefghijkl",
                true, true, ID2, ID, true, VersionMeta.hashKey("run-1"));

        assertThat(VersionMeta.parse(meta.format())).isEqualTo(meta);
    }

    @Test
    void pendingPointerDistinguishesItselfFromNowhere() {
        VersionMeta self = new VersionMeta(null, null, null, null, null, false, false, null, null, false, null);
        VersionMeta nowhere = new VersionMeta(null, null, null, null, null, false, false, null, "", true, null);

        assertThat(VersionMeta.parse(self.format()).pending()).isNull();
        assertThat(VersionMeta.parse(nowhere.format()).pending()).isEmpty();
    }

    @Test
    void theLongestRecordFitsInOneAzureTagValue() {
        VersionMeta longest = new VersionMeta(ID, Instant.parse("2030-12-31T23:59:59.999999Z"), ID2, ID, "abcdefghijkl",
                true, true, ID2, null, false, VersionMeta.hashKey("k".repeat(256)));
        VersionMeta longestPending = new VersionMeta(null, Instant.parse("2030-12-31T23:59:59.999999Z"), null, ID,
                "abcdefghijkl", true, true, null, ID2, true, VersionMeta.hashKey("k"));

        assertThat(longest.format().length()).isLessThanOrEqualTo(256);
        assertThat(longestPending.format().length()).isLessThanOrEqualTo(256);
    }

    @Test
    void versionsWithoutTheTagAreForeignAndKeepTheirAzureId() {
        assertThat(VersionMeta.of(null)).isSameAs(VersionMeta.FOREIGN);
        assertThat(VersionMeta.of(Map.of("owner", "team-a"))).isSameAs(VersionMeta.FOREIGN);
        assertThat(VersionMeta.FOREIGN.rotorId(ID)).isEqualTo(ID);
    }

    @Test
    void damagedFieldsAreIgnoredNotFatal() {
        VersionMeta meta = VersionMeta.parse("id=" + ID + ";t=not-a-time;junk;=x;future=1");

        assertThat(meta.id()).isEqualTo(ID);
        assertThat(meta.created()).isNull();
    }

    @Test
    void idempotencyKeysHashToShortDistinctDigests() {
        assertThat(VersionMeta.hashKey("a")).hasSize(24).isNotEqualTo(VersionMeta.hashKey("b"));
        assertThat(VersionMeta.hashKey("a")).isEqualTo(VersionMeta.hashKey("a"));
    }
}
