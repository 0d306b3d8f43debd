package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretValue;
import dev.rotor.api.HealthReport;
import dev.rotor.api.SecretSummary;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.TestClock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DaemonAdminServiceTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-01-12T01:00:00Z"));
    private final AtomicBoolean schedulerRunning = new AtomicBoolean();
    private final String canary = Canary.create().text();
    private DaemonRuntime runtime;
    private RunLog runs;
    private DaemonAdminService admin;

    @BeforeEach
    void open() {
        RotatorRegistry rotators = RotatorRegistry.builtIn();
        DaemonConfig config = DaemonConfig.parse("""
                stores: { main: { type: memory } }
                rotators:
                  key: { type: random-secret }
                  jwt: { type: signing-keys, jwksStore: main, jwksPath: public/jwks, algorithm: ES256, jwksCacheTtl: 5m, maxTokenLifetime: 1h }
                policies:
                  - { name: api, ref: secret://main/api/key, rotator: key }
                  - { name: signing, ref: secret://main/keys/signing, rotator: jwt }
                """, Path.of("/tmp"), rotators);
        runtime = DaemonRuntime.open(config, ProviderRegistry.builder().register(new InMemoryStoreProvider()).build(), rotators, clock,
                name -> null, new PrintStream(PrintStream.nullOutputStream()), new MetricRegistry(), null);
        runs = new RunLog(100);
        runtime.service().addListener(runs);
        admin = new DaemonAdminService(runtime, runs, schedulerRunning::get);
        runtime.rotor().store("main").put("api/key", SecretValue.ofUtf8("{\"value\":\"" + canary + "\"}"), PutOptions.current());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void secretsShowMetadataFromThePoliciesAndNoValue() {
        assertThat(admin.secrets()).extracting(SecretSummary::ref).containsExactly(SecretRef.parse("secret://main/api/key"),
                SecretRef.parse("secret://main/keys/signing"));
        SecretSummary api = admin.secrets().get(0);
        assertThat(api.rotator()).isEqualTo("key");
        assertThat(api.currentVersionId()).isNotBlank();
        assertThat(api.lastRotated()).isEqualTo(clock.instant());
        assertThat(api.state()).isEqualTo("ok");
        assertThat(admin.secrets().get(1).currentVersionId()).as("never written").isNull();
        assertThat(admin.secrets().toString()).doesNotContain(canary);
    }

    @Test
    void rotateTakesTheServicePathAndAnUnmanagedRefIsNotFound() {
        RotationResult r = admin.rotate(SecretRef.parse("secret://main/api/key"), RotationRequest.emergency("apikey:ops", "leaked"));
        assertThat(r).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> assertThat(s.previousRetired()).isTrue());
        assertThat(admin.runs(10)).singleElement().satisfies(run -> {
            assertThat(run.outcome()).isEqualTo("succeeded");
            assertThat(run.actor()).isEqualTo("apikey:ops");
            assertThat(run.reason()).isEqualTo("leaked");
        });
        assertThatThrownBy(() -> admin.rotate(SecretRef.parse("secret://main/other"), RotationRequest.emergency("apikey:ops", "x")))
                .isInstanceOf(SecretNotFoundException.class).hasMessage("no policy manages secret://main/other");
    }

    @Test
    void readinessFollowsTheSchedulerAndHealthNamesTheParts() {
        assertThat(admin.readiness().up()).isFalse();
        schedulerRunning.set(true);
        assertThat(admin.readiness().up()).isTrue();
        HealthReport health = admin.health();
        assertThat(health.up()).isTrue();
        assertThat(health.checks()).containsEntry("store:main", "open").containsEntry("scheduler", "running").containsEntry("audit", "none");
    }

    @Test
    void jwksIsThePublishedSetWithoutPrivateMembers() {
        assertThat(admin.jwks()).as("nothing published yet").isEmpty();
        runtime.rotor().store("main").put("public/jwks", SecretValue.ofUtf8("""
                {"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"eA","y":"eQ"},
                         {"kty":"EC","crv":"P-256","kid":"k2","x":"eA","y":"eQ","d":"%s"}]}""".formatted(canary)), PutOptions.current());

        assertThat(admin.jwks()).hasValueSatisfying(json -> assertThat(json).contains("\"kid\":\"k1\"").doesNotContain("k2")
                .doesNotContain(canary));
    }
}
