package dev.rotor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertConfigTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Object tree(String yaml) throws Exception {
        return YAML.readValue(yaml, Object.class);
    }

    @Test
    void bindsAFullSection() throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        AlertConfig c = AlertConfig.bind(tree("""
                routes:
                  ops:
                    - { type: webhook, url: "https://hooks.example/rotor", secretEnv: ROTOR_WEBHOOK_KEY }
                    - { type: smtp, host: smtp.example, port: 587, security: starttls, from: rotor@example.org,
                        to: [ops@example.org], username: rotor, passwordEnv: ROTOR_SMTP_PASSWORD }
                  pager:
                    - { type: pagerduty, routingKeyEnv: ROTOR_PD_KEY }
                    - { type: slack, urlEnv: ROTOR_SLACK_URL }
                defaultRoutes: [ops]
                renotify: 2h
                unusualAccess: { readsPerMinute: 50, learningPeriod: 3d }
                authFailures: { threshold: 10, window: 30s }
                delivery: { queueSize: 10, maxAttempts: 2, backoff: 1s, maxBackoff: 4s, timeout: 3s }
                """), "alerts", problems);

        assertThat(problems).isEmpty();
        assertThat(c.routeNames()).containsExactly("ops", "pager");
        assertThat(c.routes().get("ops")).containsExactly(
                new AlertConfig.SinkConfig.Webhook(URI.create("https://hooks.example/rotor"), "ROTOR_WEBHOOK_KEY"),
                new AlertConfig.SinkConfig.Smtp("smtp.example", 587, SmtpSink.Security.STARTTLS, "rotor@example.org",
                        List.of("ops@example.org"), "rotor", "ROTOR_SMTP_PASSWORD"));
        assertThat(c.routes().get("pager")).containsExactly(
                new AlertConfig.SinkConfig.PagerDuty("ROTOR_PD_KEY", PagerDutySink.DEFAULT_ENDPOINT, "rotor"),
                new AlertConfig.SinkConfig.Slack("ROTOR_SLACK_URL"));
        assertThat(c.defaultRoutes()).containsExactly("ops");
        assertThat(c.renotify()).isEqualTo(Duration.ofHours(2));
        assertThat(c.readsPerMinute()).isEqualTo(50);
        assertThat(c.learningPeriod()).isEqualTo(Duration.ofDays(3));
        assertThat(c.authFailureThreshold()).isEqualTo(10);
        assertThat(c.authFailureWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.delivery()).isEqualTo(new DeliveryOptions(10, 2, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(3)));
    }

    @Test
    void anEmptyOrMissingSectionGivesDefaults() throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        AlertConfig c = AlertConfig.bind(null, "alerts", problems);
        assertThat(problems).isEmpty();
        assertThat(c.routes()).isEmpty();
        assertThat(c.defaultRoutes()).isNull();
        assertThat(c.renotify()).isEqualTo(Duration.ofHours(4));
        assertThat(c.readsPerMinute()).isEqualTo(120);
        assertThat(c.delivery()).isEqualTo(DeliveryOptions.defaults());
    }

    @Test
    void reportsEveryProblemAtOnceNamingItsField() throws Exception {
        Canary pasted = Canary.create();
        List<ConfigProblem> problems = new ArrayList<>();
        AlertConfig c = AlertConfig.bind(tree("""
                routes:
                  ops:
                    - { type: webhook, url: "ftp://x", secretEnv: "%s" }
                    - { type: slack, url: "https://hooks.slack.com/services/x" }
                    - { type: smtp, host: smtp.example, port: 70000, security: ssl, from: a@b, password: x }
                    - { type: carrier-pigeon }
                  Bad: [ { type: slack, urlEnv: X } ]
                  empty: []
                defaultRoutes: [ops, nowhere]
                renotify: 4 hours
                unusualAccess: { readsPerMinute: 0, extra: 1 }
                authFailures: { window: 0s }
                delivery: { backoff: 10s, maxBackoff: 1s }
                colour: blue
                """.formatted(pasted.text())), "alerts", problems);

        assertThat(c).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "alerts.colour",
                "alerts.routes.ops[0].url",
                "alerts.routes.ops[0].secretEnv",
                "alerts.routes.ops[1].url",
                "alerts.routes.ops[1].url",
                "alerts.routes.ops[1].urlEnv",
                "alerts.routes.ops[2].password",
                "alerts.routes.ops[2].security",
                "alerts.routes.ops[2].port",
                "alerts.routes.ops[2].to",
                "alerts.routes.ops[2].password",
                "alerts.routes.ops[3].type",
                "alerts.routes.Bad",
                "alerts.routes.empty",
                "alerts.defaultRoutes[1]",
                "alerts.renotify",
                "alerts.unusualAccess.extra",
                "alerts.unusualAccess.readsPerMinute",
                "alerts.authFailures.window",
                "alerts.delivery.maxBackoff");
        for (ConfigProblem p : problems) {
            LeakChecker.assertNoCanaryIn("problem " + p.field(), p.toString(), pasted);
        }
    }

    @Test
    void sinksAreMadeWithCredentialsFromTheEnvironmentAndMissingOnesAreAllNamed() throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        AlertConfig c = AlertConfig.bind(tree("""
                routes:
                  ops:
                    - { type: webhook, url: "https://hooks.example/rotor", secretEnv: KEY }
                    - { type: slack, urlEnv: SLACK }
                  pager:
                    - { type: pagerduty, routingKeyEnv: PD }
                """), "alerts", problems);
        assertThat(problems).isEmpty();

        Canary slackUrl = Canary.create();
        assertThatThrownBy(() -> c.toBuilder(Map.of("KEY", "short", "SLACK", slackUrl.text())::get, Clock.systemUTC()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigProblem::field).containsExactly(
                            "alerts.routes.ops[0].secretEnv", "alerts.routes.ops[1].urlEnv", "alerts.routes.pager[0].routingKeyEnv");
                    LeakChecker.assertNoCanaryIn("message", e.getMessage(), slackUrl);
                });

        Map<String, String> env = Map.of("KEY", "a-webhook-key-of-32-characters!!", "SLACK", "https://hooks.slack.test/services/a/b/c",
                "PD", "pd-routing-key");
        try (Alerting a = c.toBuilder(env::get, Clock.systemUTC()).build()) {
            assertThat(a.deliveryStats()).extracting(DeliveryStats::sink)
                    .containsExactly("webhook:https://hooks.example/rotor", "slack:hooks.slack.test", "pagerduty:https://events.pagerduty.com/v2/enqueue");
        }
    }

    @Test
    void checksPolicyRouteNames() {
        AlertConfig c = new AlertConfig(Map.of("ops", List.of(new AlertConfig.SinkConfig.Slack("S"))), null, Duration.ofHours(4), 120,
                Duration.ofDays(7), 20, Duration.ofMinutes(1), DeliveryOptions.defaults());
        List<ConfigProblem> problems = new ArrayList<>();
        c.checkRouteNames(List.of("ops", "pager"), "policies[2].alerts", problems);
        assertThat(problems).containsExactly(new ConfigProblem("policies[2].alerts[1]", "no alert route named 'pager' (known: ops)"));
    }
}
