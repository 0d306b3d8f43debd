package dev.rotor.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.memory.InMemoryStoreProvider;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import dev.rotor.rotator.random.RandomSecretRotatorProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.spi.RotatorProvider;
import dev.rotor.testkit.TestClock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RotationServiceTest {

    private static final Instant T0 = Instant.parse("2026-01-12T01:00:00Z"); // a Monday
    private final TestClock clock = new TestClock(T0);
    private final List<PolicyNotice> notices = new CopyOnWriteArrayList<>();
    private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
    private @Nullable DaemonRuntime runtime;

    /** A rotator that fails at VERIFY, for the failure and overdue paths. */
    static final class FailingProvider implements RotatorProvider {
        @Override
        public String type() {
            return "failing";
        }

        @Override
        public List<ConfigProblem> validate(RotatorConfig config, RotatorContext context) {
            return List.of();
        }

        @Override
        public Rotator open(RotatorConfig config, RotatorContext context) {
            return new Rotator() {
                @Override
                public String type() {
                    return "failing";
                }

                @Override
                public void preflight(RotationContext c, @Nullable Secret current) {}

                @Override
                public SecretValue create(RotationContext c, @Nullable Secret current) {
                    return SecretValue.ofUtf8("{\"value\":\"next\"}");
                }

                @Override
                public void apply(RotationContext c, @Nullable Secret current, Secret pending) {}

                @Override
                public void verify(RotationContext c, Secret pending) {
                    throw new RotationException(Step.VERIFY, "target refuses the new credential");
                }

                @Override
                public void rollback(RotationContext c, @Nullable Secret current, Secret pending) {}

                @Override
                public void retire(RotationContext c, Secret previous, Secret current) {}
            };
        }
    }

    private RotationService open(String yaml) {
        RotatorRegistry rotators = RotatorRegistry.builder().register(new RandomSecretRotatorProvider()).register(new FailingProvider()).build();
        DaemonConfig config = DaemonConfig.parse(yaml, Path.of("/tmp"), rotators);
        runtime = DaemonRuntime.open(config, ProviderRegistry.builder().register(new InMemoryStoreProvider()).build(), rotators, clock,
                name -> null, new PrintStream(PrintStream.nullOutputStream()), new MetricRegistry(), null);
        runtime.service().addNoticeListener(notices::add);
        runtime.service().addListener(events::add);
        return runtime.service();
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private SecretStore store() {
        return runtime.rotor().store("main");
    }

    private static final String ONE_POLICY = """
            stores: { main: { type: memory } }
            rotators: { key: { type: random-secret } }
            policies:
              - { name: api, ref: secret://main/api/key, rotator: key, interval: 1d, grace: 1h }
            """;

    @Test
    void rotatesWhenDueAndNotBeforeTakingLastSuccessFromTheStore() {
        RotationService service = open(ONE_POLICY);
        store().put("api/key", SecretValue.ofUtf8("{\"value\":\"initial\"}"), PutOptions.current());

        assertThat(service.runDue()).singleElement().satisfies(r -> {
            assertThat(r.result()).isNull();
            assertThat(r.plan().due()).isEqualTo(T0.plus(Duration.ofDays(1)));
        });

        clock.advance(Duration.ofDays(1));
        List<RotationService.DueResult> pass = service.runDue();
        assertThat(pass).singleElement().satisfies(r -> assertThat(r.rotated()).isTrue());
        assertThat(pass.get(0).plan().lastSuccess()).isEqualTo(clock.instant());
        assertThat(pass.get(0).plan().due()).isEqualTo(clock.instant().plus(Duration.ofDays(1)));
        assertThat(notices).singleElement().isInstanceOfSatisfying(PolicyNotice.Rotated.class, n -> {
            assertThat(n.ref()).isEqualTo(SecretRef.parse("secret://main/api/key"));
            assertThat(n.wasOverdue()).isFalse();
        });
        assertThat(service.runDue()).singleElement().satisfies(r -> assertThat(r.result()).isNull());
        RotationService.Target target = service.targets().get(0);
        assertThat(service.retireAt(target)).as("the job wakes up when the grace period ends, not at the next rotation")
                .isEqualTo(pass.get(0).plan().lastSuccess().plus(Duration.ofHours(1)));
        assertThat(store().versions("api/key")).extracting(v -> v.tags().get("rotor.run")).filteredOn(java.util.Objects::nonNull)
                .as("one rotation run wrote the new versions").containsOnly(((RotationResult.Succeeded) pass.get(0).result()).runId());

        // After the grace period the next pass retires PREVIOUS.
        clock.advance(Duration.ofHours(2));
        assertThat(service.runDue()).singleElement().satisfies(r -> assertThat(r.result()).isInstanceOf(RotationResult.Retired.class));
        assertThat(store().versions("api/key")).noneMatch(v -> v.has(Stage.PREVIOUS));
        assertThat(service.retireAt(target)).as("nothing left to retire").isNull();
        assertThat(runtime.metrics().counter("rotor.rotations.succeeded").getCount()).isEqualTo(1);
        assertThat(runtime.metrics().counter("rotor.rotations.retired").getCount()).isEqualTo(1);
        assertThat(runtime.metrics().getGauges()).containsKey("rotor.secret.days-until-due.api.secret://main/api/key");
    }

    @Test
    void anEmergencyRotatesNowRetiresAtOnceAndSendsACriticalNotice() {
        RotationService service = open(ONE_POLICY);
        store().put("api/key", SecretValue.ofUtf8("{\"value\":\"leaked\"}"), PutOptions.current());

        RotationResult r = service.rotate(SecretRef.parse("secret://main/api/key"), RotationRequest.emergency("ops-alice", "key in a public repo"));

        assertThat(r).isInstanceOfSatisfying(RotationResult.Succeeded.class, s -> {
            assertThat(s.emergency()).isTrue();
            assertThat(s.previousRetired()).isTrue();
        });
        assertThat(notices).filteredOn(PolicyNotice.Emergency.class::isInstance).singleElement()
                .isInstanceOfSatisfying(PolicyNotice.Emergency.class, n -> {
                    assertThat(n.actor()).isEqualTo("ops-alice");
                    assertThat(n.reason()).isEqualTo("key in a public repo");
                    assertThat(n.succeeded()).isTrue();
                    assertThat(n.previousRetired()).isTrue();
                });
        assertThat(events).filteredOn(RotationEvent.Started.class::isInstance).singleElement()
                .isInstanceOfSatisfying(RotationEvent.Started.class, s -> assertThat(s.actor()).isEqualTo("ops-alice"));
        assertThatThrownBy(() -> service.rotate(SecretRef.parse("secret://main/other"), RotationRequest.routine("x", null)))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("no policy covers secret://main/other");
    }

    @Test
    void failuresAreRetriedInsideTheWindowThenTheSecretGoesOverdue() {
        RotationService service = open("""
                stores: { main: { type: memory } }
                rotators: { bad: { type: failing } }
                scheduler: { overdueSlack: 30m, retry: { initial: 10m, max: 1h } }
                policies:
                  - name: db
                    ref: secret://main/db/app
                    rotator: bad
                    interval: 1d
                    window: { hours: "02:00-03:00" }
                """);
        store().put("db/app", SecretValue.ofUtf8("{\"value\":\"v1\"}"), PutOptions.current());
        clock.advance(Duration.ofDays(1).plusHours(1)); // Tuesday 02:00, the window opens
        RotationService.Target target = service.targets().get(0);

        RotationService.DueResult first = service.runDue(target, 0, true);
        assertThat(first.failed()).isTrue();
        assertThat(first.retryAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(50));
        RotationService.DueResult late = service.runDue(target, 3, true);
        assertThat(late.failed()).isTrue();
        assertThat(late.retryAt()).as("the next backoff (40m) falls after the window closes").isNull();
        assertThat(notices).hasSize(2).allSatisfy(n -> assertThat(n).isInstanceOf(PolicyNotice.Failed.class));
        assertThat(((PolicyNotice.Failed) notices.get(0)).step()).isEqualTo("VERIFY");

        assertThat(service.checkOverdue()).isEmpty();
        clock.advance(Duration.ofMinutes(41)); // 03:31: window closed at 03:00, 30m slack
        assertThat(service.checkOverdue()).singleElement().satisfies(o -> {
            assertThat(o.deadline()).isEqualTo(Instant.parse("2026-01-13T03:30:00Z"));
            assertThat(o.ref()).isEqualTo(SecretRef.parse("secret://main/db/app"));
        });
        assertThat(service.status()).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("overdue"));
    }

    @Test
    void aSelectorCoversTheSecretsUnderItsPrefixWithItsTags() {
        RotationService service = open("""
                stores: { main: { type: memory } }
                rotators: { key: { type: random-secret } }
                policies:
                  - { name: pay, selector: { store: main, prefix: api/, tags: { team: pay } }, rotator: key, interval: 1d }
                """);
        store().put("api/a", SecretValue.ofUtf8("{\"value\":\"a\"}"), PutOptions.current().withTags(Map.of("team", "pay")));
        store().put("api/b", SecretValue.ofUtf8("{\"value\":\"b\"}"), PutOptions.current().withTags(Map.of("team", "web")));
        store().put("other/c", SecretValue.ofUtf8("{\"value\":\"c\"}"), PutOptions.current().withTags(Map.of("team", "pay")));

        assertThat(service.targets()).extracting(t -> t.ref().format()).containsExactly("secret://main/api/a");
        assertThat(service.target(SecretRef.parse("secret://main/api/a")).policy().name()).isEqualTo("pay");
        assertThatThrownBy(() -> service.target(SecretRef.parse("secret://main/api/b"))).isInstanceOf(InvalidConfigurationException.class);
    }
}
