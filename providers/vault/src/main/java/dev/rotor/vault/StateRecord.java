package dev.rotor.vault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rotor.Stage;
import dev.rotor.StoreIntegrityException;
import dev.rotor.vault.ValueCodec.Encoding;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What the store keeps about one secret besides the values: its versions, the stage pointers as
 * of live version {@code asOfLive}, which Rotor version each recent live version carries, and the
 * promotions under way. Stored as the data of {@code <prefix>/_rotor/state/<path>} and only ever
 * replaced with check-and-set. Holds no value.
 *
 * @param live live KV version number (as text) to Rotor version id
 * @param intents promotions announced before their live write; see {@link Intent}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
record StateRecord(int format, List<VersionEntry> versions, @Nullable String current, @Nullable String pending,
        @Nullable String previous, long asOfLive, Map<String, String> live, List<Intent> intents) {

    static final int FORMAT = 1;
    static final StateRecord EMPTY = new StateRecord(FORMAT, List.of(), null, null, null, 0, Map.of(), List.of());

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();

    StateRecord {
        versions = versions == null ? List.of() : List.copyOf(versions);
        live = live == null ? Map.of() : Map.copyOf(live);
        intents = intents == null ? List.of() : List.copyOf(intents);
    }

    /**
     * One Rotor version. Numeric ids are version numbers of the store's copy path; {@code L<n>} is
     * live version {@code n}, written by someone other than Rotor.
     *
     * @param exact whether the live fields give back the exact bytes (see {@link ValueCodec})
     * @param fields JSON values: top-level field names in the order written
     * @param requested the stage the version was put as (null for versions Rotor did not write)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VersionEntry(String id, Instant created, Map<String, String> tags, Encoding encoding, boolean exact,
            @Nullable List<String> fields, @Nullable String idempotencyKey, @Nullable Stage requested) {
        VersionEntry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(created, "created");
            tags = tags == null ? Map.of() : Map.copyOf(new TreeMap<>(tags));
            Objects.requireNonNull(encoding, "encoding");
            fields = fields == null ? null : List.copyOf(fields);
        }
    }

    /**
     * A promotion announced before its live write: version {@code id} is meant to become live
     * version {@code live}, replacing {@code from} as CURRENT. It counts only if live version
     * {@code live} turns out to hold exactly this version's value.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Intent(String id, long live, @Nullable String from) {}

    static boolean isLiveId(String id) {
        return id.length() > 1 && id.charAt(0) == 'L' && id.chars().skip(1).allMatch(Character::isDigit);
    }

    static String liveId(long liveVersion) {
        return "L" + liveVersion;
    }

    static long liveNumber(String liveId) {
        return Long.parseLong(liveId.substring(1));
    }

    StateRecord withLive(long liveVersion, String id) {
        Map<String, String> m = new TreeMap<>(live);
        m.put(Long.toString(liveVersion), id);
        return new StateRecord(format, versions, current, pending, previous, asOfLive, m, intents);
    }

    @Nullable VersionEntry find(String id) {
        for (VersionEntry v : versions) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        return null;
    }

    ObjectNode toJson() {
        return MAPPER.valueToTree(this);
    }

    static StateRecord fromJson(ObjectNode node, String where) {
        StateRecord r;
        try {
            r = MAPPER.treeToValue(node, StateRecord.class);
        } catch (Exception e) {
            throw new StoreIntegrityException("the Rotor state record at " + where + " cannot be read: it was changed outside Rotor");
        }
        if (r.format() > FORMAT) {
            throw new StoreIntegrityException("the Rotor state record at " + where + " has format " + r.format()
                    + ", written by a newer Rotor; this one reads format " + FORMAT);
        }
        return r;
    }
}
