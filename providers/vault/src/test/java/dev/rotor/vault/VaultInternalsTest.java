package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Stage;
import dev.rotor.StoreIntegrityException;
import dev.rotor.spi.StoreContext;
import dev.rotor.vault.StateRecord.Intent;
import dev.rotor.vault.StateRecord.VersionEntry;
import dev.rotor.vault.ValueCodec.Encoding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pieces: error bodies, Retry-After, the state record, credentials, the view's pruning. */
class VaultInternalsTest {

    @TempDir
    Path dir;

    @Test
    void onlyVaultsErrorStringsAreKeptFromAnErrorBody() {
        byte[] body = "{\"errors\":[\"permission denied\",\"\"],\"data\":{\"password\":\"hunter2\"}}".getBytes(StandardCharsets.UTF_8);

        assertThat(VaultClient.errors(body)).isEqualTo("permission denied");
        assertThat(VaultClient.errors("not json hunter2".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(VaultClient.errors("{\"errors\":[\"line\\nbreak\"]}".getBytes(StandardCharsets.UTF_8))).isEqualTo("line break");
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        assertThat(VaultClient.parseRetryAfter("12")).isEqualTo(Duration.ofSeconds(12));
        assertThat(VaultClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(VaultClient.parseRetryAfter("soon")).isNull();
        assertThat(VaultClient.parseRetryAfter("-3")).isNull();
    }

    @Test
    void theStateRecordRoundTripsThroughJson() {
        StateRecord r = new StateRecord(1,
                List.of(new VersionEntry("3", Instant.parse("2025-01-01T00:00:00Z"), Map.of("owner", "team-a"), Encoding.JSON, true,
                        List.of("username", "password"), "run-1", Stage.CURRENT),
                        new VersionEntry("L7", Instant.parse("2025-01-02T00:00:00Z"), Map.of(), Encoding.JSON, false, null, null, null)),
                "L7", null, "3", 7, Map.of("6", "3", "7", "L7"), List.of(new Intent("4", 8, "L7")));

        StateRecord back = StateRecord.fromJson(r.toJson(), "secret/data/_rotor/state/x");

        assertThat(back).isEqualTo(r);
        assertThat(StateRecord.isLiveId("L7")).isTrue();
        assertThat(StateRecord.isLiveId("7")).isFalse();
        assertThat(StateRecord.isLiveId("L")).isFalse();
    }

    @Test
    void aRecordFromANewerRotorIsRefused() {
        ObjectNode json = StateRecord.EMPTY.toJson();
        json.put("format", 2);

        assertThatThrownBy(() -> StateRecord.fromJson(json, "secret/data/_rotor/state/x"))
                .isInstanceOf(StoreIntegrityException.class)
                .hasMessageContaining("newer Rotor");
    }

    @Test
    void theViewKeepsTheNewestVersionsAndEveryStagedOne() {
        List<VersionEntry> entries = new java.util.ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            entries.add(new VersionEntry(Integer.toString(i), Instant.EPOCH.plusSeconds(i), Map.of(), Encoding.TEXT, true, null, null, Stage.PENDING));
        }
        View v = new View("5", "1", "4", 9, Map.of(1L, "2", 8L, "4", 9L, "5"), entries, List.of(new Intent("2", 10, "5")));

        StateRecord r = v.toRecord(2);

        assertThat(r.versions()).extracting(VersionEntry::id).containsExactly("1", "2", "4", "5", "6");
        assertThat(r.live()).containsOnlyKeys("8", "9");
    }

    @Test
    void credentialsComeFromTheEnvironmentOrAFileAndNeverShowTheirValue() throws Exception {
        Files.writeString(dir.resolve("secret-id"), "  s-123\n");
        StoreContext ctx = new StoreContext(Clock.systemUTC(), Map.of("ROLE", "r-1", "EMPTY", " ")::get, dir);

        assertThat(new Credential("stores.x.auth.roleIdEnv", Credential.Kind.ENV, "ROLE").read(ctx)).isEqualTo("r-1");
        Credential file = new Credential("stores.x.auth.secretIdFile", Credential.Kind.FILE, "secret-id");
        assertThat(file.read(ctx)).isEqualTo("s-123");
        assertThat(file.toString()).doesNotContain("s-123");
        assertThatThrownBy(() -> new Credential("stores.x.auth.secretIdEnv", Credential.Kind.ENV, "EMPTY").read(ctx))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.x.auth.secretIdEnv").hasMessageContaining("is empty");
        assertThatThrownBy(() -> new Credential("stores.x.auth.jwtFile", Credential.Kind.FILE, "missing").read(ctx))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.x.auth.jwtFile").hasMessageContaining("NoSuchFileException");
    }
}
