package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a rotation takes end to end through the engine (in-memory store, real MariaDB on
 * loopback), per strategy, with the time of each step. The figures go to the log and to
 * {@code target/rotation-timing-<strategy>.txt}; the test asserts only that every rotation
 * succeeded and that the last CURRENT works, since timings depend on the machine.
 */
class MariaDbRotationTimingIT extends MariaDbTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbRotationTimingIT.class);
    private static final int WARM_UP = 10;
    private static final int RUNS = 200;

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"SINGLE_USER", "ALTERNATING_USERS"})
    void endToEnd(Strategy strategy) throws Exception {
        String first = account(uniqueUser("timing_a"), "Timing-password-0");
        String second = account(uniqueUser("timing_b"), "Timing-password-1");
        MariaDbRotatorSettings.Builder settings = settings(strategy);
        if (strategy == Strategy.ALTERNATING_USERS) {
            settings.users(first, second);
        }
        MariaDbPasswordRotator rotator = rotator(settings);
        TestClock clock = TestClock.startingNow();
        Map<Step, Long> stepNanos = new EnumMap<>(Step.class);
        long[] last = {0};
        try (SecretStore store = new InMemorySecretStore("main", clock)) {
            RotationEngine engine = RotationEngine.builder(store).clock(clock).holder("timing").listener(e -> {
                long now = System.nanoTime();
                switch (e) {
                    case RotationEvent.Started s -> last[0] = now;
                    case RotationEvent.StepCompleted s -> {
                        stepNanos.merge(s.step(), now - last[0], Long::sum);
                        last[0] = now;
                    }
                    default -> {
                        // only steps are timed
                    }
                }
            }).build();
            store.put("db/app", SecretValue.ofFields(Map.of("username", first, "password", "Timing-password-0")), PutOptions.current());

            List<Long> took = new ArrayList<>();
            for (int i = 0; i < WARM_UP + RUNS; i++) {
                if (i == WARM_UP) {
                    stepNanos.clear();
                }
                clock.advance(Duration.ofDays(1));
                long start = System.nanoTime();
                RotationResult result = engine.rotate("db/app", rotator, RotationRequest.scheduled());
                long nanos = System.nanoTime() - start;
                assertThat(result).as("rotation %d", i).isInstanceOf(RotationResult.Succeeded.class);
                if (i >= WARM_UP) {
                    took.add(nanos);
                }
            }
            var current = store.get("db/app", Selector.CURRENT);
            assertThat(server().canLogIn(username(current), password(current))).isTrue();

            took.sort(null);
            StringBuilder report = new StringBuilder();
            report.append(String.format(Locale.ROOT, "%s: %d rotations through RotationEngine (in-memory store, MariaDB 11.4 on loopback)%n",
                    strategy, RUNS));
            report.append(String.format(Locale.ROOT, "  p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    ms(pct(took, 50)), ms(pct(took, 90)), ms(pct(took, 99)), ms(took.get(took.size() - 1))));
            report.append("  mean per step:");
            stepNanos.forEach((step, total) -> report.append(String.format(Locale.ROOT, " %s %.2f ms", step, ms(total / RUNS))));
            report.append(System.lineSeparator());
            LOG.info("{}", report);
            Files.writeString(Path.of("target", "rotation-timing-" + strategy.id() + ".txt"), report);
        }
    }

    private static long pct(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
