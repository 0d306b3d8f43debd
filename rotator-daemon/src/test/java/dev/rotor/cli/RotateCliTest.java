package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RunState;
import dev.rotor.spi.ProviderRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotor rotate --selector}, usage errors and {@code rotor policy validate}, in-process on shared in-memory stores. */
class RotateCliTest {

    @TempDir
    Path dir;
    private SharedMemoryProvider provider;
    private CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        provider = new SharedMemoryProvider();
        cli = new CliHarness(dir, ProviderRegistry.builder().register(provider).build());
        cli.config("""
                stores:
                  main: { type: shared }
                rotators:
                  key: { type: random-secret }
                policies:
                  - { name: partners, selector: { store: main, prefix: api/ }, rotator: key }
                  - { name: db, ref: secret://main/db/app, rotator: key }
                """);
        assertThat(cli.run("list", "main").exitCode()).isZero();
        InMemorySecretStore store = provider.store("main");
        store.put("api/a", SecretValue.ofUtf8("{\"value\":\"a\"}"), PutOptions.current().withTags(Map.of("team", "pay")));
        store.put("api/b", SecretValue.ofUtf8("{\"value\":\"b\"}"), PutOptions.current().withTags(Map.of("team", "web")));
        store.put("db/app", SecretValue.ofUtf8("{\"value\":\"c\"}"), PutOptions.current());
    }

    private int runs(String path) {
        Set<String> runs = new TreeSet<>();
        provider.store("main").versions(path).forEach(v -> RunState.of(v).ifPresent(rs -> runs.add(rs.runId())));
        return runs.size();
    }

    @Test
    void selectorRotatesEveryCoveredSecretUnderThePrefixWithPlainLinesOffATerminal() {
        CliHarness.Result r = cli.run("rotate", "--selector", "secret://main/api/", "--reason", "partner offboarding");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("rotated  secret://main/api/a", "rotated  secret://main/api/b", "2 secrets: 2 rotated, 0 failed, 0 busy")
                .doesNotContain("\r").doesNotContain("[#");
        assertThat(runs("api/a")).isEqualTo(1);
        assertThat(runs("api/b")).isEqualTo(1);
        assertThat(runs("db/app")).isZero();
    }

    @Test
    void selectorWithATagRotatesOnlyTheTaggedSecrets() {
        CliHarness.Result r = cli.run("rotate", "--selector", "secret://main/api/", "--tag", "team=pay");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("1 secrets: 1 rotated");
        assertThat(runs("api/a")).isEqualTo(1);
        assertThat(runs("api/b")).isZero();
    }

    @Test
    void modesAreExclusiveAndAnEmergencyNeedsAReason() {
        assertThat(cli.run("rotate").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.run("rotate", "secret://main/db/app", "--due").err()).contains("give exactly one of REF, --due or --selector");
        assertThat(cli.run("rotate", "--due", "--reason", "x").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.run("rotate", "secret://main/db/app", "--tag", "a=b").err()).contains("--tag goes with --selector");
        assertThat(cli.run("rotate", "secret://main/db/app", "--emergency").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(runs("db/app")).isZero();
    }

    @Test
    void policyValidatePrintsOkOrEveryProblemOneALine() throws Exception {
        CliHarness.Result ok = cli.run("policy", "validate");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(ok.out()).isEqualTo("ok: 2 policies, 1 rotator" + System.lineSeparator());

        cli.config("""
                stores:
                  main: { type: shared }
                rotators:
                  key: { type: random-secret, lenght: 3 }
                policies:
                  - { name: a, ref: secret://main/x, rotator: nope }
                  - { name: b, ref: secret://main/y, rotator: key, window: { zone: Mars/Olympus } }
                """);
        CliHarness.Result bad = cli.run("policy", "validate");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(bad.err().lines().toList()).hasSize(4).first().asString().endsWith("rotor.yaml: 3 problems");
        assertThat(bad.err()).contains("  rotators.key.lenght: unknown setting", "  policies[0].rotator: no rotator named 'nope'",
                "  policies[1].window.zone: 'Mars/Olympus' is not a time zone");
    }

    @Test
    void policyValidateReportsTheAlertsApiAndPostgresAuditSectionsToo() throws Exception {
        cli.config("""
                stores:
                  main: { type: shared }
                audit:
                  file: ./audit.jsonl
                  postgres: { url: "jdbc:postgresql://db:5432/rotor?password=x", usernameEnv: U }
                rotators:
                  key: { type: random-secret }
                alerts:
                  routes:
                    ops: [ { type: slack, url: "https://hooks.slack.example/T0/B0/x" } ]
                api:
                  listen: 127.0.0.1:99999
                policies:
                  - { name: a, ref: secret://main/x, rotator: key, alerts: [pager] }
                """);
        CliHarness.Result bad = cli.run("policy", "validate");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(bad.err()).contains("  policies[0].alerts[0]: no alert route named 'pager'", "  alerts.routes.ops[0].url:",
                "  api.listen:", "  audit.postgres.url: must not hold credentials");
        assertThat(bad.err()).doesNotContain("hooks.slack.example/T0/B0/x");
    }
}
