package dev.rotor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.rotor.ConfigProblem;
import dev.rotor.PutOptions;
import dev.rotor.SecretRef;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import dev.rotor.testkit.TestClock;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An emergency rotation through the real engine sends one CRITICAL alert naming actor and
 * reason, by mail through an SMTP server that requires a login and to a signed webhook.
 */
class EmergencyAlertIT {

    private static final String SMTP_PASSWORD = "smtp-password-for-the-test";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("rotor@example.test", "rotor", SMTP_PASSWORD));

    private static Map<String, Object> tree(String webhookUrl, String user) {
        return Map.of("routes", Map.of("security", List.of(
                Map.of("type", "webhook", "url", webhookUrl, "secretEnv", "HOOK_KEY"),
                Map.of("type", "smtp", "host", "127.0.0.1", "port", MAIL.getSmtp().getPort(), "security", "none",
                        "from", "rotor@example.test", "to", List.of("security@example.test"), "username", user,
                        "passwordEnv", "SMTP_PASSWORD"))),
                "delivery", Map.of("maxAttempts", 2, "backoff", "0s", "maxBackoff", "0s"));
    }

    @Test
    void emergencyRotationSendsOneCriticalAlertWithActorAndReason() throws Exception {
        Canary stored = Canary.create();
        Canary hookKey = Canary.create();
        TestClock clock = new TestClock(Instant.parse("2026-03-04T09:30:00Z"));
        SecretRef ref = SecretRef.parse("secret://main/api/payments-key");
        Map<String, String> env = Map.of("HOOK_KEY", hookKey.text(), "SMTP_PASSWORD", SMTP_PASSWORD);

        try (WebhookReceiver receiver = new WebhookReceiver(hookKey.bytes())) {
            List<ConfigProblem> problems = new ArrayList<>();
            AlertConfig config = AlertConfig.bind(tree(receiver.uri("/alerts").toString(), "rotor"), "alerts", problems);
            assertThat(problems).isEmpty();
            LeakChecker leaks = LeakChecker.start(stored, hookKey);
            try (leaks; Alerting alerting = config.toBuilder(env::get, clock).build()) {
                InMemorySecretStore store = new InMemorySecretStore("main", clock);
                store.put(ref.path(), stored.value(), PutOptions.current());
                RotationEngine engine = RotationEngine.builder(store).clock(clock).listener(alerting.rotationListener()).build();

                RotationResult r = engine.rotate(ref.path(), new ScriptedRotator("not-used-here"),
                        RotationRequest.emergency("alice@ops", "key pasted in a public issue"));

                assertThat(r).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
                assertThat(alerting.awaitDelivery(Duration.ofSeconds(30))).isTrue();
                assertThat(MAIL.waitForIncomingEmail(10_000, 1)).isTrue();
            }
            leaks.assertNoLeaks();

            assertThat(receiver.received()).singleElement().satisfies(h -> {
                assertThat(h.signatureValid()).isTrue();
                assertThat(h.json().get("kind").asText()).isEqualTo("emergency-rotation");
                assertThat(h.json().get("severity").asText()).isEqualTo("CRITICAL");
                assertThat(h.json().get("details").get("actor").asText()).isEqualTo("alice@ops");
                assertThat(h.json().get("details").get("reason").asText()).isEqualTo("key pasted in a public issue");
                LeakChecker.assertNoCanaryIn("webhook body", h.text(), stored, hookKey);
            });
            MimeMessage[] mails = MAIL.getReceivedMessages();
            assertThat(mails).singleElement().satisfies(m -> {
                assertThat(m.getSubject()).isEqualTo(
                        "[Rotor CRITICAL] emergency rotation of secret://main/api/payments-key executed by alice@ops; old credential revoked");
                assertThat(GreenMailUtil.getBody(m)).contains("actor: alice@ops", "reason: key pasted in a public issue");
                LeakChecker.assertNoCanaryIn("mail", GreenMailUtil.getWholeMessage(m), stored, hookKey);
            });
        }
    }

    @Test
    void aRefusedSmtpLoginIsRetriedThenCountedAsFailedAndNamesNoPassword() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-04T09:30:00Z"));
        try (WebhookReceiver receiver = new WebhookReceiver(new byte[32])) {
            List<ConfigProblem> problems = new ArrayList<>();
            AlertConfig config = AlertConfig.bind(tree(receiver.uri("/alerts").toString(), "rotor"), "alerts", problems);
            Map<String, String> env = Map.of("HOOK_KEY", "0123456789abcdef0123", "SMTP_PASSWORD", "wrong-password-1234");
            try (Alerting alerting = config.toBuilder(env::get, clock).build()) {
                alerting.auditSinkFailed("file:/var/lib/rotor/audit.jsonl", "AuditUnavailableException");
                assertThat(alerting.awaitDelivery(Duration.ofSeconds(30))).isTrue();
                assertThat(alerting.deliveryStats()).filteredOn(s -> s.sink().startsWith("smtp:")).singleElement().satisfies(s -> {
                    assertThat(s.failed()).isEqualTo(1);
                    assertThat(s.retried()).isEqualTo(1);
                    assertThat(s.delivered()).isZero();
                    assertThat(s.toString()).doesNotContain("wrong-password-1234");
                });
                assertThat(receiver.received()).hasSize(1);
            }
            assertThat(MAIL.getReceivedMessages()).isEmpty();
        }
    }
}
