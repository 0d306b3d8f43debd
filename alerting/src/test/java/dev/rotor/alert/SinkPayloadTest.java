package dev.rotor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each HTTP sink's request, as a local receiver sees it. */
class SinkPayloadTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Instant T = Instant.parse("2026-03-02T02:00:00Z");

    private static Alert failed() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("step", "VERIFY");
        d.put("error", "java.lang.IllegalStateException");
        return new Alert("rotation-failed|secret://main/db/app|VERIFY", Severity.WARNING, Alert.KIND_ROTATION_FAILED,
                "secret://main/db/app", "rotation of secret://main/db/app failed at VERIFY <!channel> & more", d, T, false);
    }

    @Test
    void webhookPostsTheAlertAsJsonSignedOverTimestampAndBody() throws Exception {
        byte[] key = "0123456789abcdef-webhook-key".getBytes(StandardCharsets.UTF_8);
        try (WebhookReceiver receiver = new WebhookReceiver(key);
                WebhookSink sink = new WebhookSink(receiver.uri("/hook"), key, Clock.fixed(T, ZoneOffset.UTC), TIMEOUT)) {
            sink.send(failed());
            WebhookReceiver.Received r = receiver.received().get(0);
            assertThat(r.signatureValid()).isTrue();
            assertThat(r.timestamp()).isEqualTo(Long.toString(T.getEpochSecond()));
            JsonNode j = r.json();
            assertThat(j.get("source").asText()).isEqualTo("rotor");
            assertThat(j.get("key").asText()).isEqualTo("rotation-failed|secret://main/db/app|VERIFY");
            assertThat(j.get("kind").asText()).isEqualTo("rotation-failed");
            assertThat(j.get("severity").asText()).isEqualTo("WARNING");
            assertThat(j.get("resolved").asBoolean()).isFalse();
            assertThat(j.get("time").asText()).isEqualTo("2026-03-02T02:00:00Z");
            assertThat(j.get("details").get("step").asText()).isEqualTo("VERIFY");

            assertThat(WebhookSignature.verify(key, r.timestamp(), r.body(), r.signature(), T.plusSeconds(60), Duration.ofMinutes(5))).isTrue();
            byte[] tampered = r.text().replace("VERIFY", "APPLY").getBytes(StandardCharsets.UTF_8);
            assertThat(WebhookSignature.verify(key, r.timestamp(), tampered, r.signature(), T, Duration.ofMinutes(5))).isFalse();
            assertThat(WebhookSignature.verify(key, Long.toString(T.getEpochSecond() + 1), r.body(), r.signature(), T, Duration.ofMinutes(5)))
                    .isFalse();
            assertThat(WebhookSignature.verify(key, r.timestamp(), r.body(), r.signature(), T.plus(Duration.ofMinutes(6)), Duration.ofMinutes(5)))
                    .as("a replay after the tolerance").isFalse();
            assertThat(WebhookSignature.verify("another-key-of-16+bytes".getBytes(StandardCharsets.UTF_8), r.timestamp(), r.body(),
                    r.signature(), T, Duration.ofMinutes(5))).isFalse();
            assertThat(WebhookSignature.verify(key, r.timestamp(), r.body(), "sha256=zz", T, Duration.ofMinutes(5))).isFalse();
        }
    }

    @Test
    void webhookRejectsAShortKeyAndMapsStatusesToRetryability() throws Exception {
        assertThatThrownBy(() -> new WebhookSink(URI.create("http://127.0.0.1:1/"), new byte[8], Clock.systemUTC(), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
        byte[] key = new byte[32];
        try (WebhookReceiver receiver = new WebhookReceiver(key);
                WebhookSink sink = new WebhookSink(receiver.uri("/hook"), key, Clock.systemUTC(), TIMEOUT)) {
            receiver.answer(503);
            assertThatThrownBy(() -> sink.send(failed())).isInstanceOfSatisfying(AlertDeliveryException.class,
                    e -> assertThat(e.isRetryable()).isTrue()).hasMessageEndingWith(": HTTP 503");
            receiver.answer(400);
            assertThatThrownBy(() -> sink.send(failed())).isInstanceOfSatisfying(AlertDeliveryException.class,
                    e -> assertThat(e.isRetryable()).isFalse());
        }
    }

    @Test
    void slackGetsTextAndEscapedBlocks() throws Exception {
        Canary token = Canary.create();
        try (WebhookReceiver receiver = new WebhookReceiver(new byte[32]);
                SlackSink sink = new SlackSink(receiver.uri("/services/T000/B000/" + token.text()), TIMEOUT)) {
            sink.send(failed());
            WebhookReceiver.Received r = receiver.received().get(0);
            assertThat(r.path()).endsWith(token.text());
            JsonNode j = r.json();
            assertThat(j.get("text").asText()).isEqualTo("[Rotor] WARNING: " + failed().summary());
            JsonNode blocks = j.get("blocks");
            assertThat(blocks).hasSize(3);
            assertThat(blocks.get(0).get("type").asText()).isEqualTo("section");
            assertThat(blocks.get(0).get("text").get("type").asText()).isEqualTo("mrkdwn");
            assertThat(blocks.get(0).get("text").get("text").asText())
                    .isEqualTo("*WARNING: rotation of secret://main/db/app failed at VERIFY &lt;!channel&gt; &amp; more*\n`secret://main/db/app`");
            assertThat(blocks.get(1).get("fields")).hasSize(2);
            assertThat(blocks.get(1).get("fields").get(0).get("text").asText()).isEqualTo("*step*\nVERIFY");
            assertThat(blocks.get(2).get("type").asText()).isEqualTo("context");
            LeakChecker.assertNoCanaryIn("slack sink description", sink.describe() + sink, token);

            receiver.answer(404);
            assertThatThrownBy(() -> sink.send(failed())).isInstanceOfSatisfying(AlertDeliveryException.class,
                    e -> LeakChecker.assertNoCanaryIn("delivery error", e.getMessage(), token));
        }
    }

    @Test
    void pagerDutyTriggersAndResolvesWithTheAlertKeyAsDedupKey() throws Exception {
        Canary routingKey = Canary.create();
        try (WebhookReceiver receiver = new WebhookReceiver(new byte[32]);
                PagerDutySink sink = new PagerDutySink(receiver.uri("/v2/enqueue"), routingKey.text(), "rotor-prod", TIMEOUT)) {
            receiver.answer(202);
            Alert a = failed();
            sink.send(a);
            sink.send(a.resolvedAt(T.plusSeconds(600)));

            JsonNode trigger = receiver.received().get(0).json();
            assertThat(receiver.received().get(0).path()).isEqualTo("/v2/enqueue");
            assertThat(trigger.get("routing_key").asText()).isEqualTo(routingKey.text());
            assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
            assertThat(trigger.get("dedup_key").asText()).isEqualTo(a.key());
            JsonNode p = trigger.get("payload");
            assertThat(p.get("summary").asText()).isEqualTo(a.summary());
            assertThat(p.get("source").asText()).isEqualTo("rotor-prod");
            assertThat(p.get("severity").asText()).isEqualTo("warning");
            assertThat(p.get("timestamp").asText()).isEqualTo("2026-03-02T02:00:00Z");
            assertThat(p.get("component").asText()).isEqualTo("secret://main/db/app");
            assertThat(p.get("class").asText()).isEqualTo("rotation-failed");
            assertThat(p.get("custom_details").get("step").asText()).isEqualTo("VERIFY");

            JsonNode resolve = receiver.received().get(1).json();
            assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
            assertThat(resolve.get("dedup_key").asText()).isEqualTo(a.key());
            assertThat(resolve.has("payload")).isFalse();

            LeakChecker.assertNoCanaryIn("pagerduty sink description", sink.describe() + sink, routingKey);
            receiver.answer(429);
            assertThatThrownBy(() -> sink.send(a)).isInstanceOfSatisfying(AlertDeliveryException.class, e -> {
                assertThat(e.isRetryable()).isTrue();
                LeakChecker.assertNoCanaryIn("delivery error", e.getMessage(), routingKey);
            });
        }
    }

    @Test
    void pagerDutyDedupKeysLongerThanItsLimitAreDigested() {
        String longKey = "unusual-access-new-actor|secret://main/" + "x".repeat(300) + "|app";
        String dedup = PagerDutySink.dedupKey(longKey);
        assertThat(dedup).startsWith("rotor-").hasSize(6 + 64).isEqualTo(PagerDutySink.dedupKey(longKey));
        assertThat(PagerDutySink.dedupKey("short")).isEqualTo("short");
    }

    @Test
    void alertFieldsAreOneLineSoNoInputForgesAHeader() {
        Alert a = new Alert("k", Severity.INFO, "kind", "ref\r\nBcc: evil@example", "sum\nmary", Map.of("a\nb", "c\rd"), T, false);
        assertThat(a.ref()).isEqualTo("ref  Bcc: evil@example");
        assertThat(a.summary()).isEqualTo("sum mary");
        assertThat(a.details()).containsEntry("a b", "c d");
        assertThat(SmtpSink.subject(a)).doesNotContain("\n", "\r");
    }
}
