package dev.rotor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static InvalidConfigurationException problems(Runnable construction) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(construction::run);
        assertThat(t).isInstanceOf(InvalidConfigurationException.class);
        return (InvalidConfigurationException) t;
    }

    @Test
    void defaultsAreValidAndDocumented() {
        assertThat(CacheOptions.defaults()).isEqualTo(new CacheOptions(Duration.ofMinutes(5), Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ofMinutes(1), null));
        assertThat(AuditOptions.defaults()).isEqualTo(new AuditOptions("rotor", HitAudit.SUMMARY, Duration.ofMinutes(1)));
        assertThat(RetryOptions.defaults()).isEqualTo(new RetryOptions(3, Duration.ofMillis(100), Duration.ofSeconds(5), 2.0,
                Duration.ofSeconds(30)));
    }

    @Test
    void cacheOptionsReportEveryProblemWithItsField() {
        InvalidConfigurationException e = problems(
                () -> new CacheOptions(Duration.ZERO, Duration.ofSeconds(-1), null, Duration.ofMillis(0), 0));

        assertThat(e.problems()).extracting(ConfigProblem::field)
                .containsExactly("cache.ttl", "cache.maxStale", "cache.backoffInitial", "cache.backoffMax", "cache.maxEntries");
        assertThat(e.getMessage()).contains("5 problems").contains("cache.backoffInitial: is required");
    }

    @Test
    void cacheBackoffMaxMustNotBeBelowTheInitialBackoff() {
        assertThatThrownBy(() -> CacheOptions.defaults().withBackoff(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).extracting(ConfigProblem::field).containsExactly("cache.backoffMax"));
    }

    @Test
    void auditOptionsReportEveryProblemWithItsField() {
        InvalidConfigurationException e = problems(() -> new AuditOptions(" ", null, Duration.ofSeconds(-5)));

        assertThat(e.problems()).extracting(ConfigProblem::field)
                .containsExactly("audit.defaultActor", "audit.hitAudit", "audit.summaryInterval");
    }

    @Test
    void retryOptionsReportEveryProblemWithItsField() {
        InvalidConfigurationException e = problems(
                () -> new RetryOptions(0, Duration.ofSeconds(2), Duration.ofSeconds(1), 0.5, Duration.ofSeconds(-1)));

        assertThat(e.problems()).extracting(ConfigProblem::field)
                .containsExactly("retry.maxAttempts", "retry.maxBackoff", "retry.multiplier", "retry.maxRetryAfter");
        assertThat(problems(() -> RetryOptions.defaults().withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), Double.NaN))
                .problems()).extracting(ConfigProblem::field).containsExactly("retry.multiplier");
    }

    @Test
    void withersChangeOneField() {
        CacheOptions c = CacheOptions.defaults().withTtl(Duration.ofSeconds(30)).withMaxStale(Duration.ZERO).withMaxEntries(100);
        assertThat(c).isEqualTo(new CacheOptions(Duration.ofSeconds(30), Duration.ZERO, CacheOptions.DEFAULT_BACKOFF_INITIAL,
                CacheOptions.DEFAULT_BACKOFF_MAX, 100));
        AuditOptions a = AuditOptions.defaults().withDefaultActor("svc").withHitAudit(HitAudit.EACH)
                .withSummaryInterval(Duration.ofSeconds(5));
        assertThat(a).isEqualTo(new AuditOptions("svc", HitAudit.EACH, Duration.ofSeconds(5)));
        RetryOptions r = RetryOptions.defaults().withMaxAttempts(1).withMaxRetryAfter(Duration.ZERO);
        assertThat(r.maxAttempts()).isEqualTo(1);
        assertThat(r.maxRetryAfter()).isZero();
    }
}
