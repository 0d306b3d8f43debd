package dev.rotor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import dev.rotor.testkit.TestClock;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The must-show case: a policy whose rotations keep failing gives one "rotation failed" alert
 * per failure key however often it fails, and one "overdue" alert once its deadline passes; each
 * reaches a real SMTP server (GreenMail) and a local webhook receiver that checks the HMAC. The
 * real RotationEngine runs against the in-memory store; time moves on a test clock.
 */
class FailingRotationAlertsIT {

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String KEY_ENV = "ROTOR_TEST_WEBHOOK_KEY";
    private static final String POLICY_INTERVAL = "90d";

    @Test
    void failingPolicyGivesOneAlertPerFailureKeyAndOneOverdueAlertToMailAndSignedWebhook() throws Exception {
        Canary stored = Canary.create();
        Canary inError = Canary.create();
        Canary webhookKey = Canary.create();
        TestClock clock = new TestClock(Instant.parse("2026-03-02T02:00:00Z"));
        SecretRef ref = SecretRef.parse("secret://main/db/app");

        try (WebhookReceiver receiver = new WebhookReceiver(webhookKey.bytes())) {
            LeakChecker leaks = LeakChecker.start(stored, inError, webhookKey);
            try (leaks) {
                Map<String, Object> tree = Map.of(
                        "routes", Map.of("ops", List.of(
                                Map.of("type", "webhook", "url", receiver.uri("/rotor").toString(), "secretEnv", KEY_ENV),
                                Map.of("type", "smtp", "host", "127.0.0.1", "port", MAIL.getSmtp().getPort(), "security", "none",
                                        "from", "rotor@example.test", "to", List.of("ops@example.test")))),
                        "renotify", "4h");
                List<ConfigProblem> problems = new ArrayList<>();
                AlertConfig config = AlertConfig.bind(tree, "alerts", problems);
                assertThat(problems).isEmpty();

                try (Alerting alerting = config.toBuilder(name -> name.equals(KEY_ENV) ? webhookKey.text() : null, clock)
                        .policyRoutes(r -> r.equals(ref) ? List.of("ops") : List.of())
                        .build()) {
                    InMemorySecretStore store = new InMemorySecretStore("main", clock);
                    store.put(ref.path(), stored.value(), PutOptions.current());
                    RotationEngine engine = RotationEngine.builder(store).clock(clock).listener(alerting.rotationListener()).build();
                    ScriptedRotator rotator = new ScriptedRotator(inError.text());
                    Instant lastSuccess = clock.instant();
                    Instant deadline = lastSuccess.plus(Duration.ofDays(90)).plus(Duration.ofHours(3));

                    // The scheduler's retries inside the window: VERIFY keeps failing, then APPLY does too.
                    rotator.failAt(Step.VERIFY);
                    for (int i = 0; i < 4; i++) {
                        assertThat(engine.rotate(ref.path(), rotator, RotationRequest.scheduled()))
                                .isInstanceOfSatisfying(RotationResult.Failed.class, f -> assertThat(f.step()).isEqualTo(Step.VERIFY));
                        clock.advance(Duration.ofMinutes(20));
                    }
                    rotator.failAt(Step.APPLY);
                    for (int i = 0; i < 3; i++) {
                        assertThat(engine.rotate(ref.path(), rotator, RotationRequest.scheduled()))
                                .isInstanceOfSatisfying(RotationResult.Failed.class, f -> assertThat(f.step()).isEqualTo(Step.APPLY));
                        clock.advance(Duration.ofMinutes(20));
                    }
                    // Not overdue yet: the scheduler says nothing. Then the deadline passes and it checks twice.
                    clock.advance(Duration.between(clock.instant(), deadline).plusMinutes(1));
                    alerting.overdue(ref, deadline);
                    clock.advance(Duration.ofMinutes(5));
                    alerting.overdue(ref, deadline);

                    assertThat(alerting.awaitDelivery(Duration.ofSeconds(30))).isTrue();
                    assertThat(MAIL.waitForIncomingEmail(10_000, 3)).isTrue();

                    List<WebhookReceiver.Received> hooks = receiver.received();
                    assertThat(hooks).hasSize(3).allSatisfy(h -> {
                        assertThat(h.signatureValid()).as("HMAC of %s", h.json().get("key")).isTrue();
                        assertThat(h.path()).isEqualTo("/rotor");
                        assertThat(h.json().get("resolved").asBoolean()).isFalse();
                        assertThat(h.json().get("ref").asText()).isEqualTo(ref.format());
                    });
                    assertThat(hooks).extracting(h -> h.json().get("key").asText()).containsExactly(
                            "rotation-failed|secret://main/db/app|VERIFY",
                            "rotation-failed|secret://main/db/app|APPLY",
                            "rotation-overdue|secret://main/db/app");
                    JsonNode overdue = hooks.get(2).json();
                    assertThat(overdue.get("severity").asText()).isEqualTo("CRITICAL");
                    assertThat(overdue.get("details").get("deadline").asText()).isEqualTo(deadline.toString());
                    assertThat(overdue.get("details").get("overdueBy").asText()).isEqualTo("1m");
                    assertThat(hooks.get(0).json().get("details").get("error").asText()).isEqualTo("java.lang.IllegalStateException");
                    assertThat(hooks.get(0).json().get("details").get("rolledBack").asText()).isEqualTo("true");

                    MimeMessage[] mails = MAIL.getReceivedMessages();
                    assertThat(mails).extracting(MimeMessage::getSubject).containsExactly(
                            "[Rotor WARNING] rotation of secret://main/db/app failed at VERIFY (rolled back; CURRENT unchanged)",
                            "[Rotor WARNING] rotation of secret://main/db/app failed at APPLY (rolled back; CURRENT unchanged)",
                            "[Rotor CRITICAL] rotation of secret://main/db/app is overdue: no successful rotation by " + deadline);
                    assertThat(GreenMailUtil.getBody(mails[2])).contains("deadline: " + deadline).contains("ref: secret://main/db/app");

                    // The policy recovers: one resolved notice per open condition, and only one.
                    rotator.failAt(null);
                    assertThat(engine.rotate(ref.path(), rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
                    alerting.onTime(ref);
                    clock.advance(Duration.ofDays(1));
                    assertThat(engine.rotate(ref.path(), rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
                    assertThat(alerting.awaitDelivery(Duration.ofSeconds(30))).isTrue();
                    assertThat(MAIL.waitForIncomingEmail(10_000, 6)).isTrue();

                    List<WebhookReceiver.Received> all = receiver.received();
                    assertThat(all).hasSize(6).allSatisfy(h -> assertThat(h.signatureValid()).isTrue());
                    assertThat(all.subList(3, 6)).allSatisfy(h -> assertThat(h.json().get("resolved").asBoolean()).isTrue())
                            .extracting(h -> h.json().get("key").asText()).containsExactlyInAnyOrder(
                                    "rotation-failed|secret://main/db/app|VERIFY",
                                    "rotation-failed|secret://main/db/app|APPLY",
                                    "rotation-overdue|secret://main/db/app");
                    assertThat(MAIL.getReceivedMessages()).hasSize(6);
                    assertThat(alerting.activeConditions()).isEmpty();
                    assertThat(alerting.deliveryStats()).allSatisfy(s -> {
                        assertThat(s.delivered()).isEqualTo(6);
                        assertThat(s.failed()).isZero();
                    });

                    for (WebhookReceiver.Received h : all) {
                        LeakChecker.assertNoCanaryIn("webhook body", h.text(), stored, inError, webhookKey);
                        LeakChecker.assertNoCanaryIn("webhook signature", h.signature(), stored, inError, webhookKey);
                    }
                    for (MimeMessage m : MAIL.getReceivedMessages()) {
                        LeakChecker.assertNoCanaryIn("mail", new String(GreenMailUtil.getHeaders(m).getBytes(StandardCharsets.UTF_8),
                                StandardCharsets.UTF_8) + GreenMailUtil.getBody(m), stored, inError, webhookKey);
                    }
                }
            }
            leaks.assertNoLeaks();
        }
    }
}
