package dev.rotor.internal.store;

import dev.rotor.Capabilities;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.store.RetryOptions;
import dev.rotor.store.Sleeper;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry layer: repeats an operation that failed with a {@link ProviderUnavailableException}
 * whose {@link ProviderUnavailableException#isRetryable()} is true, up to {@code maxAttempts}
 * in all. Before retry {@code n} (n = 1, 2, ...) it waits a uniformly random time in
 * {@code [0, min(maxBackoff, initialBackoff * multiplier^(n-1))]} ("full jitter"), and at least
 * the backend's Retry-After hint, capped by {@code maxRetryAfter}. Every other failure passes
 * through at once.
 *
 * <p>Writes are made safe to repeat: a put without an idempotency key gets a fresh one, used
 * for all its attempts, so an attempt whose answer was lost cannot make a second version. A
 * retried delete that finds the secret gone, and a retried compare-and-set promote or stage
 * move that finds the stage already where it was to go, report success: the lost attempt did
 * the work.
 *
 * <p>Thread-safe; waits happen on the caller's thread through the injected {@link Sleeper}.
 */
public final class RetryingSecretStore implements SecretStore {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingSecretStore.class);

    /** One attempt of an operation; {@code attempt} starts at 1. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run(int attempt);
    }

    private final SecretStore inner;
    private final RetryOptions options;
    private final Sleeper sleeper;

    public RetryingSecretStore(SecretStore inner, RetryOptions options, Sleeper sleeper) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.options = Objects.requireNonNull(options, "options");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    private <T> T withRetries(String op, @Nullable String path, Attempt<T> attempt) {
        for (int n = 1; ; n++) {
            try {
                return attempt.run(n);
            } catch (ProviderUnavailableException e) {
                if (!e.isRetryable() || n >= options.maxAttempts()) {
                    throw e;
                }
                Duration wait = waitBeforeRetry(n, e);
                LOG.debug("store '{}': {} of '{}' failed (attempt {} of {}, {}); retrying in {}", inner.name(), op, path, n,
                        options.maxAttempts(), e.getClass().getSimpleName(), wait);
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(ie);
                    throw e;
                }
            }
        }
    }

    /** The wait before retry {@code retry} (the first retry is 1). */
    Duration waitBeforeRetry(int retry, ProviderUnavailableException failure) {
        double capNanos = Math.min((double) options.maxBackoff().toNanos(),
                options.initialBackoff().toNanos() * Math.pow(options.multiplier(), retry - 1));
        Duration wait = Duration.ofNanos((long) (ThreadLocalRandom.current().nextDouble() * capNanos));
        Duration hint = failure.retryAfter().orElse(Duration.ZERO);
        if (hint.compareTo(options.maxRetryAfter()) > 0) {
            hint = options.maxRetryAfter();
        }
        return hint.compareTo(wait) > 0 ? hint : wait;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public Secret get(String path, Selector selector) {
        return withRetries("get", path, n -> inner.get(path, selector));
    }

    /** Retries the whole bulk read: it only reads, so repeating it is safe. */
    @Override
    public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        return withRetries("getAll", paths.size() + " secrets", n -> inner.getAll(paths, selector));
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        PutOptions repeatable = options != null && options.idempotencyKey() == null && this.options.maxAttempts() > 1
                ? options.withIdempotencyKey(UUID.randomUUID().toString())
                : options;
        return withRetries("put", path, n -> inner.put(path, value, repeatable));
    }

    @Override
    public List<VersionInfo> versions(String path) {
        return withRetries("versions", path, n -> inner.versions(path));
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        return withRetries("promote", path, n -> {
            try {
                return inner.promote(path, versionId, expectedCurrentVersionId);
            } catch (ConflictException e) {
                if (n == 1) {
                    throw e;
                }
                // An earlier attempt may have promoted before its answer was lost.
                return find(path, versionId).filter(v -> v.has(Stage.CURRENT)).orElseThrow(() -> e);
            }
        });
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        withRetries("moveStage", path, n -> {
            try {
                inner.moveStage(path, stage, versionId, expectedVersionId);
            } catch (ConflictException e) {
                if (n == 1 || !stageIsAt(path, stage, versionId)) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public List<String> list(String prefix) {
        return withRetries("list", prefix, n -> inner.list(prefix));
    }

    @Override
    public void delete(String path) {
        withRetries("delete", path, n -> {
            try {
                inner.delete(path);
            } catch (SecretNotFoundException e) {
                if (n == 1) {
                    throw e;
                }
                LOG.debug("store '{}': secret '{}' was gone on retry {}; an earlier attempt deleted it", inner.name(), path, n);
            }
            return null;
        });
    }

    private java.util.Optional<VersionInfo> find(String path, String versionId) {
        return inner.versions(path).stream().filter(v -> v.id().equals(versionId)).findFirst();
    }

    private boolean stageIsAt(String path, Stage stage, @Nullable String versionId) {
        List<VersionInfo> versions = inner.versions(path);
        return versionId == null
                ? versions.stream().noneMatch(v -> v.has(stage))
                : versions.stream().anyMatch(v -> v.id().equals(versionId) && v.has(stage));
    }

    @Override
    public Health health() {
        return inner.health();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "retry -> " + inner;
    }
}
