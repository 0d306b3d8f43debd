package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonConfigTest {

    private static final Path BASE = Path.of("/etc/rotor");
    private static final RotatorRegistry ROTATORS = RotatorRegistry.builtIn();

    private static List<ConfigProblem> problemsOf(String yaml) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> DaemonConfig.parse(yaml, BASE, ROTATORS));
        assertThat(e).as("parsing must fail").isNotNull();
        return e.problems();
    }

    @Test
    void readsPoliciesWithDefaultsByRotatorType() {
        DaemonConfig config = DaemonConfig.parse("""
                stores:
                  main: { type: memory }
                rotators:
                  api-key: { type: random-secret }
                  jwt: { type: signing-keys, jwksStore: main, jwksPath: jwks/app, algorithm: ES256, jwksCacheTtl: 5m, maxTokenLifetime: 1h }
                policies:
                  - name: api
                    ref: secret://main/api/key
                    rotator: api-key
                  - name: keys
                    selector: { store: main, prefix: keys/, tags: { team: pay } }
                    rotator: api-key
                    interval: 30d
                    window: { days: [MON, tuesday], hours: "22:00-02:00", zone: Europe/Berlin }
                    jitter: 30m
                    grace: 2h
                scheduler:
                  seed: 7
                """, BASE, ROTATORS);

        assertThat(config.policies()).containsExactly(
                new Policy("api", new PolicyTarget.Single(SecretRef.parse("secret://main/api/key")), "api-key", Duration.ofDays(180),
                        Window.ALWAYS, Duration.ZERO, Duration.ofDays(1), List.of()),
                new Policy("keys", new PolicyTarget.Matching("main", "keys/", Map.of("team", "pay")), "api-key", Duration.ofDays(30),
                        new Window(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY), LocalTime.of(22, 0), LocalTime.of(2, 0),
                                ZoneId.of("Europe/Berlin")),
                        Duration.ofMinutes(30), Duration.ofHours(2), List.of()));
        assertThat(config.scheduler().seed()).isEqualTo(7);
        assertThat(config.scheduler().store()).isEqualTo(SchedulerSettings.Store.RAM);
    }

    @Test
    void reportsEveryProblemOfTheFileAtOnceEachNamingItsField() {
        List<ConfigProblem> problems = problemsOf("""
                stores:
                  main: { type: memory }
                rotators:
                  api-key: { type: random-secret, lenght: 40 }
                  odd: { type: no-such-kind }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "https://hooks.example/rotor", secretEnv: ROTOR_WEBHOOK_KEY } ]
                policies:
                  - name: api
                    ref: secret://main/api/key#value
                    rotator: api-key
                    interval: 90
                    colour: blue
                  - name: api
                    ref: secret://other/x
                    rotator: missing
                  - ref: secret://main/a
                    selector: { store: main }
                    rotator: api-key
                    window: { days: [MON, FUNDAY], hours: "25:00-26:00", zone: Mars/Olympus }
                    alerts: [ops, pager]
                    jitter: -1s
                  - name: sel
                    selector: { store: nope, prefix: 3, tags: { a: 1 } }
                    rotator: api-key
                  - name: short
                    ref: secret://main/b
                    rotator: api-key
                    window: { hours: "02:00-03:00" }
                    jitter: 2h
                  - just a string
                scheduler:
                  store: jdbc
                  threads: 0
                """);

        assertThat(problems).extracting(ConfigProblem::field).containsExactly(
                "rotators.api-key.lenght",
                "rotators.odd.type",
                "policies[0].colour",
                "policies[0].ref",
                "policies[0].interval",
                "policies[1].ref",
                "policies[1].rotator",
                "policies[2].name",
                "policies[2].selector",
                "policies[2].window.days[1]",
                "policies[2].window.hours",
                "policies[2].window.zone",
                "policies[2].jitter",
                "policies[2].alerts[1]",
                "policies[3].selector.store",
                "policies[3].selector.prefix",
                "policies[3].selector.tags.a",
                "policies[4].jitter",
                "policies[5]",
                "scheduler.jdbc",
                "scheduler.threads");
        assertThat(problems).contains(
                new ConfigProblem("policies[1].rotator", "no rotator named 'missing' (configured: api-key, odd)"),
                new ConfigProblem("policies[2].alerts[1]", "no alert route named 'pager' under alerts.routes (configured: ops)"),
                new ConfigProblem("policies[4].jitter", "2h must be shorter than the window (1h)"));
    }

    @Test
    void duplicateNamesAndRefsAreProblems() {
        assertThat(problemsOf("""
                stores: { main: { type: memory } }
                rotators: { k: { type: random-secret } }
                policies:
                  - { name: a, ref: secret://main/x, rotator: k }
                  - { name: a, ref: secret://main/y, rotator: k }
                  - { name: b, ref: secret://main/x, rotator: k }
                """)).containsExactly(
                new ConfigProblem("policies[1].name", "'a' names an earlier policy too"),
                new ConfigProblem("policies[2].ref", "secret://main/x is rotated by policy 'a' already"));
    }

    @Test
    void bindsAKubernetesSyncBlock() {
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators: { k: { type: random-secret } }
                policies:
                  - name: a
                    ref: secret://main/db/app
                    rotator: k
                    sync:
                      kubernetes: { namespace: payments, secret: app-db, keys: { username: DB_USER, password: DB_PASSWORD }, restart: [api] }
                  - { name: b, ref: secret://main/x, rotator: k }
                """, BASE, ROTATORS);
        assertThat(config.policy("a").orElseThrow().sync()).isEqualTo(new dev.rotor.kubernetes.KubernetesSyncTarget("payments", "app-db", null,
                Map.of("username", "DB_USER", "password", "DB_PASSWORD"), List.of("api")));
        assertThat(config.policy("b").orElseThrow().sync()).isNull();
    }

    @Test
    void kubernetesSyncProblemsAreReportedWithThePolicies() {
        assertThat(problemsOf("""
                stores: { main: { type: memory } }
                rotators: { k: { type: random-secret } }
                policies:
                  - name: a
                    ref: secret://main/x
                    rotator: k
                    sync: { kubernetes: { namespace: Payments, secret: app-db, keys: password } }
                  - name: b
                    selector: { store: main, prefix: p/ }
                    rotator: k
                    sync: { kubernetes: { namespace: payments, secret: app-db, keys: password } }
                  - { name: c, ref: secret://main/y, rotator: k, sync: { kubernetes: { namespace: payments, secret: s, keys: k } } }
                  - { name: d, ref: secret://main/z, rotator: k, sync: { kubernetes: { namespace: payments, secret: s, keys: k } } }
                  - { name: e, ref: secret://main/w, rotator: k, sync: { kubernetes: { namespace: payments, secret: t } } }
                """)).extracting(ConfigProblem::field).containsExactly(
                "policies[0].sync.kubernetes.namespace",
                "policies[1].sync",
                "policies[3].sync.kubernetes.secret",
                "policies[4].sync.kubernetes.keys");
    }

    @Test
    void aRotatorTypeWithoutDefaultNeedsAnInterval() {
        RotatorRegistry custom = RotatorRegistry.builder().register(new dev.rotor.spi.RotatorProvider() {
            @Override
            public String type() {
                return "custom";
            }

            @Override
            public List<ConfigProblem> validate(dev.rotor.spi.RotatorConfig config, dev.rotor.spi.RotatorContext context) {
                return List.of();
            }

            @Override
            public dev.rotor.rotation.Rotator open(dev.rotor.spi.RotatorConfig config, dev.rotor.spi.RotatorContext context) {
                throw new UnsupportedOperationException();
            }
        }).build();
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, () -> DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators: { c: { type: custom } }
                policies: [ { name: a, ref: secret://main/x, rotator: c } ]
                """, BASE, custom));
        assertThat(e.problems()).containsExactly(new ConfigProblem("policies[0].interval", "required: rotator type 'custom' has no default interval"));
    }

    @Test
    void bindsAlertsApiAndPostgresAuditSections() {
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                audit:
                  file: ./audit.jsonl
                  postgres: { url: "jdbc:postgresql://db:5432/rotor", usernameEnv: AUDIT_USER, passwordEnv: AUDIT_PASSWORD }
                rotators: { k: { type: random-secret } }
                alerts:
                  routes:
                    ops: [ { type: webhook, url: "https://hooks.example/rotor", secretEnv: HOOK_KEY } ]
                  renotify: 1h
                api:
                  listen: 127.0.0.1:0
                  auth:
                    apiKeys: [ { name: ci, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, scopes: [rotor.read] } ]
                policies:
                  - { name: a, ref: secret://main/x, rotator: k, alerts: [ops] }
                """, BASE, ROTATORS);

        assertThat(config.alerts()).isNotNull();
        assertThat(config.alerts().routeNames()).containsExactly("ops");
        assertThat(config.alerts().renotify()).isEqualTo(Duration.ofHours(1));
        assertThat(config.api()).isNotNull();
        assertThat(config.api().port()).isZero();
        assertThat(config.api().apiKeys()).extracting(k -> k.name()).containsExactly("ci");
        assertThat(config.auditPostgres()).isNotNull();
        assertThat(config.auditPostgres().usernameEnv()).isEqualTo("AUDIT_USER");
    }

    @Test
    void problemsOfAlertsApiAndPostgresAuditAreReportedWithThePolicies() {
        List<ConfigProblem> problems = problemsOf("""
                stores: { main: { type: memory } }
                audit:
                  file: ./audit.jsonl
                  postgres: { url: "jdbc:mysql://db/rotor", usernameEnv: AUDIT_USER, colour: red }
                rotators: { k: { type: random-secret } }
                alerts:
                  routes:
                    ops: [ { type: webhook, secretEnv: HOOK_KEY } ]
                api:
                  listen: nowhere
                policies:
                  - { name: a, ref: secret://main/x, rotator: k, interval: 1 }
                """);

        assertThat(problems).extracting(ConfigProblem::field).contains(
                "policies[0].interval", "alerts.routes.ops[0].url", "api.listen", "audit.postgres.url", "audit.postgres.colour");
    }

    @Test
    void policyAlertRoutesNeedAnAlertsSectionAndTheApiNeedsAudit() {
        assertThat(problemsOf("""
                stores: { main: { type: memory } }
                rotators: { k: { type: random-secret } }
                api: { listen: 127.0.0.1:0 }
                policies:
                  - { name: a, ref: secret://main/x, rotator: k, alerts: [ops] }
                """)).containsExactly(
                new ConfigProblem("policies[0].alerts", "names alert routes, but there is no alerts: section defining them"),
                new ConfigProblem("api", "needs an audit section: every API call is audited"));
    }

    @Test
    void withoutTheSectionsThereIsNoAlertingApiOrPostgresAudit() {
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators: { k: { type: random-secret } }
                policies:
                  - { name: a, ref: secret://main/x, rotator: k }
                """, BASE, ROTATORS);

        assertThat(config.alerts()).isNull();
        assertThat(config.api()).isNull();
        assertThat(config.auditPostgres()).isNull();
    }
}
