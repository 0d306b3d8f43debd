package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConflictException;
import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConflictBackoffTest {

    private final List<Duration> waits = new ArrayList<>();

    @Test
    void theFirstAttemptNeverWaitsAndRetriesWaitUpToADoublingCeilingCappedAt200Ms() {
        // the random source at its top end shows each ceiling: min(200 ms, 5 ms * 2^(retry-1))
        ConflictBackoff top = new ConflictBackoff(waits::add, () -> 1.0, ConflictBackoff.BASE, ConflictBackoff.CAP);
        for (int attempt = 0; attempt < 9; attempt++) {
            top.beforeAttempt(attempt, "vault", "put", "db/password");
        }
        assertThat(waits).containsExactly(ms(5), ms(10), ms(20), ms(40), ms(80), ms(160), ms(200), ms(200));
    }

    @Test
    void theWaitIsTheRandomFractionOfTheCeiling() {
        ConflictBackoff quarter = new ConflictBackoff(waits::add, () -> 0.25, ConflictBackoff.BASE, ConflictBackoff.CAP);
        assertThat(quarter.waitBefore(0)).isEqualTo(Duration.ZERO);
        assertThat(quarter.waitBefore(3)).isEqualTo(ms(5)); // a quarter of 20 ms
        assertThat(quarter.waitBefore(15)).isEqualTo(ms(50)); // a quarter of the 200 ms cap
        ConflictBackoff zero = new ConflictBackoff(waits::add, () -> 0.0, ConflictBackoff.BASE, ConflictBackoff.CAP);
        zero.beforeAttempt(4, "vault", "put", "db/password");
        assertThat(waits).as("a zero wait is not slept").isEmpty();
    }

    @Test
    void anInterruptedWaitEndsTheOperationAsAConflictAndKeepsTheInterrupt() {
        ConflictBackoff interrupted = new ConflictBackoff(d -> {
            throw new InterruptedException("test");
        }, () -> 0.5, ConflictBackoff.BASE, ConflictBackoff.CAP);
        try {
            assertThatThrownBy(() -> interrupted.beforeAttempt(1, "vault", "promote", "db/password"))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("db/password");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aBaseAboveTheCapIsRefused() {
        assertThatThrownBy(() -> new ConflictBackoff(waits::add, () -> 0.5, ms(300), ms(200)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStoreBacksOffBeforeEachAttemptThatFollowsALostCheckAndSet() {
        Clock clock = Clock.systemUTC();
        try (FakeVaultServer fake = FakeVaultServer.start(clock)) {
            // the first three writes of the state record lose their check-and-set, as if others got in first
            AtomicInteger lost = new AtomicInteger();
            fake.interceptor(r -> r.method().equals("POST") && r.path().startsWith("secret/data/_rotor/state/")
                    && lost.getAndIncrement() < 3
                    ? FakeVaultServer.Response.error(400, "check-and-set parameter did not match the current version")
                    : null);
            VaultSecretStore store = new VaultStoreProvider().open(
                    new StoreConfig("vault", "vault", Map.of("address", fake.address(), "mount", "secret")),
                    new StoreContext(clock, Map.of("VAULT_TOKEN", fake.rootToken())::get, Path.of("")),
                    RenewalScheduler.daemon("vault"));
            try (store) {
                store.conflictBackoff(new ConflictBackoff(waits::add, () -> 1.0, ConflictBackoff.BASE, ConflictBackoff.CAP));

                VersionInfo v = store.put("db/password", SecretValue.ofUtf8("canary-backoff"), PutOptions.pending());

                assertThat(v.stages()).containsExactly(Stage.PENDING);
                assertThat(lost).hasValueGreaterThanOrEqualTo(4);
                assertThat(waits).containsExactly(ms(5), ms(10), ms(20));

                waits.clear();
                store.moveStage("db/password", Stage.PENDING, null, v.id());
                assertThat(waits).as("no conflict, no wait").isEmpty();
            }
        }
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
