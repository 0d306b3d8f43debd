package dev.rotor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AuditEventCodecTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode tree(AuditEvent e) throws Exception {
        return MAPPER.readTree(AuditEventCodec.toJsonBytes(e));
    }

    @Test
    void everyFieldRoundTrips() {
        for (AuditEvent e : IntStream.range(0, 16).mapToObj(TestEvents::event).toList()) {
            assertThat(AuditEventCodec.parse(AuditEventCodec.toJson(e))).isEqualTo(e);
        }
    }

    @Test
    void fieldsAreWrittenInAFixedOrderWithIsoInstantsAndExplicitNulls() throws Exception {
        AuditEvent full = TestEvents.event(2);
        AuditEvent sparse = TestEvents.event(1);

        List<String> names = new ArrayList<>();
        tree(full).fieldNames().forEachRemaining(names::add);
        assertThat(names).isEqualTo(AuditEventCodec.FIELDS);
        assertThat(AuditEventCodec.toJson(full)).isEqualTo("{\"time\":\"2025-05-01T10:15:30.125456789Z\",\"actor\":\"actor-2\","
                + "\"action\":\"PUT\",\"store\":\"main\",\"path\":\"db/app-2\",\"versionId\":\"v2\",\"selector\":\"stage=current\","
                + "\"outcome\":\"DENIED\",\"requestId\":\"req-2\",\"detail\":\"detail 2\",\"count\":3,"
                + "\"firstTime\":\"2025-05-01T10:15:25.125456789Z\"}");
        JsonNode s = tree(sparse);
        assertThat(s.get("versionId").isNull()).isTrue();
        assertThat(s.get("selector").isNull()).isTrue();
        assertThat(s.get("detail").isNull()).isTrue();
    }

    @Test
    void wholeSecondsAndUnusualTextRoundTrip() {
        AuditEvent e = AuditEvent.single(Instant.parse("2025-01-01T00:00:00Z"), "ünïcode \"quoted\" \\ back\nslash\t",
                AuditAction.LIST, "s", "a/b", null, null, AuditOutcome.SUCCESS, "r", "emoji \uD83D\uDD11 and \u0000");
        String json = AuditEventCodec.toJson(e);

        assertThat(json).contains("\"time\":\"2025-01-01T00:00:00Z\"").doesNotContain("\n");
        assertThat(AuditEventCodec.parse(json)).isEqualTo(e);
    }

    @Test
    void decodeReportsEveryProblemInsteadOfThrowing() throws Exception {
        ObjectNode node = (ObjectNode) tree(TestEvents.event(2));
        node.remove("actor");
        node.put("count", 0);
        node.put("action", "STEAL");
        node.put("time", "yesterday");
        node.put("versionId", 7);
        node.put("surprise", true);

        AuditEventCodec.Decoded decoded = AuditEventCodec.decode(node);

        assertThat(decoded).isInstanceOfSatisfying(AuditEventCodec.Decoded.Invalid.class, i -> assertThat(i.problems())
                .containsExactlyInAnyOrder(
                        "unknown field 'surprise'",
                        "missing field 'actor'",
                        "field 'count' must be a whole number of at least 1",
                        "field 'action' must be one of " + java.util.Arrays.stream(AuditAction.values()).map(Enum::name).collect(java.util.stream.Collectors.joining(", ")),
                        "field 'time' must be an ISO-8601 instant such as 2025-05-01T10:15:30Z",
                        "field 'versionId' must be a string or null"));
    }

    @Test
    void decodeAcceptsFieldsTheCallerReadsItself() throws Exception {
        ObjectNode node = (ObjectNode) tree(TestEvents.event(3));
        node.put("seq", 1);

        assertThat(AuditEventCodec.decode(node)).isInstanceOf(AuditEventCodec.Decoded.Invalid.class);
        assertThat(AuditEventCodec.decode(node, Set.of("seq")))
                .isEqualTo(new AuditEventCodec.Decoded.Valid(TestEvents.event(3)));
    }

    @Test
    void decodeOfANonObjectIsAProblem() throws Exception {
        assertThat(AuditEventCodec.decode(MAPPER.readTree("[1,2]")))
                .isEqualTo(new AuditEventCodec.Decoded.Invalid(List.of("not a JSON object")));
    }

    @Test
    void parseRejectsBadTextWithoutEchoingIt() {
        assertThatThrownBy(() -> AuditEventCodec.parse("{\"time\": CANARY-d41d8cd98f00}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not valid JSON at column")
                .hasMessageNotContaining("CANARY");
        assertThatThrownBy(() -> AuditEventCodec.parse("{\"a\":1,\"a\":2}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not valid JSON");
        assertThatThrownBy(() -> AuditEventCodec.parse("{} {}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not valid JSON");
        assertThatThrownBy(() -> AuditEventCodec.parse("{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing field 'time'")
                .hasMessageContaining("missing field 'firstTime'");
    }

    @Test
    void anUnknownFieldNameIsPrintedSafely() throws Exception {
        ObjectNode node = (ObjectNode) tree(TestEvents.event(1));
        node.put("\u001b[31mred" + "x".repeat(60), 1);

        assertThat(AuditEventCodec.decode(node)).isInstanceOfSatisfying(AuditEventCodec.Decoded.Invalid.class,
                i -> assertThat(i.problems()).singleElement().asString()
                        .startsWith("unknown field '?[31mred")
                        .endsWith("x…'")
                        .doesNotContain("\u001b"));
    }

    @Test
    void bytesAreUtf8() {
        AuditEvent e = AuditEvent.single(TestEvents.T0, "zoë", AuditAction.GET, "s", "p", null, null,
                AuditOutcome.SUCCESS, "r", null);

        assertThat(new String(AuditEventCodec.toJsonBytes(e), StandardCharsets.UTF_8)).contains("\"actor\":\"zoë\"");
    }
}
