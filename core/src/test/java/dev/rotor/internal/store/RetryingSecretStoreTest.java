package dev.rotor.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AccessDeniedException;
import dev.rotor.ConflictException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.store.RetryOptions;
import dev.rotor.store.Sleeper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryingSecretStoreTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofMillis(800);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock();
    private final ScriptedStore backend = new ScriptedStore("main", clock);
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private final RetryOptions options = new RetryOptions(5, INITIAL, MAX, 2.0, MAX_RETRY_AFTER);
    private final RetryingSecretStore retry = new RetryingSecretStore(backend, options, sleeper);

    private static ProviderUnavailableException retryable() {
        return new ProviderUnavailableException("503 from backend", true, null);
    }

    private VersionInfo seed(String path, String value) {
        return backend.backing().put(path, SecretValue.ofUtf8(value), PutOptions.current());
    }

    @Test
    void retryableFailuresAreRetriedWithGrowingJitteredWaits() {
        seed("app/db", "one");
        backend.failNext("get", retryable()).failNext("get", retryable()).failNext("get", retryable());

        assertThat(retry.get("app/db").value().asUtf8()).isEqualTo("one");

        assertThat(backend.calls("get")).isEqualTo(4);
        assertThat(sleeper.sleeps()).hasSize(3);
        assertThat(sleeper.sleeps().get(0)).isBetween(Duration.ZERO, INITIAL);
        assertThat(sleeper.sleeps().get(1)).isBetween(Duration.ZERO, INITIAL.multipliedBy(2));
        assertThat(sleeper.sleeps().get(2)).isBetween(Duration.ZERO, INITIAL.multipliedBy(4));
    }

    @Test
    void afterMaxAttemptsTheLastFailureIsThrown() {
        ProviderUnavailableException last = retryable();
        for (int i = 0; i < 4; i++) {
            backend.failNext("list", retryable());
        }
        backend.failNext("list", last);

        assertThatThrownBy(() -> retry.list("")).isSameAs(last);
        assertThat(backend.calls("list")).isEqualTo(5);
        assertThat(sleeper.sleeps()).hasSize(4);
    }

    @Test
    void fullJitterStaysUnderTheCappedExponentialBoundAndUsesTheWholeRange() {
        ProviderUnavailableException e = retryable();
        for (int retryNo = 1; retryNo <= 6; retryNo++) {
            Duration cap = INITIAL.multipliedBy(1L << (retryNo - 1));
            Duration bound = cap.compareTo(MAX) > 0 ? MAX : cap;
            Duration min = bound;
            Duration max = Duration.ZERO;
            for (int i = 0; i < 2000; i++) {
                Duration w = retry.waitBeforeRetry(retryNo, e);
                assertThat(w).isBetween(Duration.ZERO, bound);
                min = w.compareTo(min) < 0 ? w : min;
                max = w.compareTo(max) > 0 ? w : max;
            }
            assertThat(min).isLessThan(bound.dividedBy(10));
            assertThat(max).isGreaterThan(bound.multipliedBy(9).dividedBy(10));
        }
    }

    @Test
    void retryAfterIsWaitedAtLeastAndCappedByMaxRetryAfter() {
        seed("app/db", "one");
        backend.failNext("get", new ProviderUnavailableException("throttled", true, Duration.ofSeconds(7), null));
        backend.failNext("get", new ProviderUnavailableException("throttled", true, Duration.ofMinutes(5), null));

        retry.get("app/db");

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(7), MAX_RETRY_AFTER);
    }

    @Test
    void nonRetryableFailuresPassThroughAtOnce() {
        seed("app/db", "one");
        ProviderUnavailableException permanent = new ProviderUnavailableException("bad request", false, null);
        backend.failNext("get", permanent);
        assertThatThrownBy(() -> retry.get("app/db")).isSameAs(permanent);

        backend.failNext("get", new AccessDeniedException("no"));
        assertThatThrownBy(() -> retry.get("app/db")).isInstanceOf(AccessDeniedException.class);

        assertThatThrownBy(() -> retry.get("app/missing")).isInstanceOf(SecretNotFoundException.class);

        assertThat(backend.calls("get")).isEqualTo(3);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void aRetriedPutWhoseFirstAnswerWasLostMakesOneVersion() {
        backend.failNextAfterDoing("put", retryable());

        VersionInfo made = retry.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());

        assertThat(backend.calls("put")).isEqualTo(2);
        assertThat(backend.backing().versions("app/db")).extracting(VersionInfo::id).containsExactly(made.id());
        assertThat(backend.lastPutOptions().idempotencyKey()).isNotBlank();
    }

    @Test
    void withoutTheGeneratedKeyTheSameLostAnswerMakesTwoVersions() {
        // The control for the test above: the double really does write on the lost attempt.
        RetryingSecretStore noKeys = new RetryingSecretStore(backend, options.withMaxAttempts(1), sleeper);
        backend.failNextAfterDoing("put", retryable());
        assertThatThrownBy(() -> noKeys.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current()))
                .isInstanceOf(ProviderUnavailableException.class);
        noKeys.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());

        assertThat(backend.backing().versions("app/db")).hasSize(2);
        assertThat(backend.lastPutOptions().idempotencyKey()).isNull();
    }

    @Test
    void eachPutGetsItsOwnKeyAndACallersKeyIsKept() {
        retry.put("app/db", SecretValue.ofUtf8("one"), PutOptions.current());
        String first = backend.lastPutOptions().idempotencyKey();
        retry.put("app/db", SecretValue.ofUtf8("two"), PutOptions.current());
        assertThat(backend.lastPutOptions().idempotencyKey()).isNotEqualTo(first);
        assertThat(backend.backing().versions("app/db")).hasSize(2);

        retry.put("app/db", SecretValue.ofUtf8("three"), PutOptions.pending().withIdempotencyKey("run-42"));
        assertThat(backend.lastPutOptions().idempotencyKey()).isEqualTo("run-42");
        assertThat(backend.lastPutOptions().stage()).isEqualTo(Stage.PENDING);
    }

    @Test
    void aRetriedDeleteThatFindsTheSecretGoneSucceeds() {
        seed("app/db", "one");
        backend.failNextAfterDoing("delete", retryable());

        retry.delete("app/db");

        assertThat(backend.calls("delete")).isEqualTo(2);
        assertThat(backend.backing().list("")).isEmpty();
    }

    @Test
    void aDeleteOfAMissingSecretOnTheFirstAttemptStillFails() {
        assertThatThrownBy(() -> retry.delete("app/missing")).isInstanceOf(SecretNotFoundException.class);
    }

    @Test
    void aRetriedPromoteThatFindsItsWorkDoneSucceeds() {
        seed("app/db", "one");
        VersionInfo pending = backend.backing().put("app/db", SecretValue.ofUtf8("two"), PutOptions.pending());
        backend.failNextAfterDoing("promote", retryable());

        VersionInfo promoted = retry.promote("app/db", pending.id(), "1");

        assertThat(promoted.id()).isEqualTo(pending.id());
        assertThat(promoted.stages()).contains(Stage.CURRENT);
        assertThat(backend.calls("promote")).isEqualTo(2);
    }

    @Test
    void aGenuineConflictIsNotHidden() {
        seed("app/db", "one");
        VersionInfo pending = backend.backing().put("app/db", SecretValue.ofUtf8("two"), PutOptions.pending());
        assertThatThrownBy(() -> retry.promote("app/db", pending.id(), "7")).isInstanceOf(ConflictException.class);

        // Retried, but the stage did not end up where asked: the conflict stands.
        backend.failNext("promote", retryable());
        assertThatThrownBy(() -> retry.promote("app/db", pending.id(), "7")).isInstanceOf(ConflictException.class);
    }

    @Test
    void aRetriedStageMoveThatFindsItsWorkDoneSucceeds() {
        seed("app/db", "one");
        VersionInfo pending = backend.backing().put("app/db", SecretValue.ofUtf8("two"), PutOptions.pending());
        backend.failNextAfterDoing("moveStage", retryable());

        retry.moveStage("app/db", Stage.PENDING, null, pending.id());

        assertThat(backend.backing().versions("app/db")).noneMatch(v -> v.has(Stage.PENDING));
        assertThat(backend.calls("moveStage")).isEqualTo(2);
    }

    @Test
    void anInterruptedWaitStopsRetryingAndKeepsTheInterrupt() {
        seed("app/db", "one");
        ProviderUnavailableException failure = retryable();
        backend.failNext("get", failure);
        Sleeper interrupted = d -> {
            throw new InterruptedException("shutting down");
        };
        RetryingSecretStore store = new RetryingSecretStore(backend, options, interrupted);

        try {
            assertThatThrownBy(() -> store.get("app/db"))
                    .isSameAs(failure)
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(InterruptedException.class));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(backend.calls("get")).isEqualTo(1);
    }

    @Test
    void oneAttemptNeverRetries() {
        RetryingSecretStore once = new RetryingSecretStore(backend, options.withMaxAttempts(1), sleeper);
        backend.failNext("versions", retryable());

        assertThatThrownBy(() -> once.versions("app/db")).isInstanceOf(ProviderUnavailableException.class);
        assertThat(sleeper.sleeps()).isEmpty();
    }
}
