package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServiceTokenCacheTest {

    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final AtomicInteger fetches = new AtomicInteger();

    private ServiceTokenCache cache(Duration lifetime) {
        return new ServiceTokenCache(() -> new ServiceTokenCache.Grant("token-" + fetches.incrementAndGet(), lifetime), clock,
                Duration.ofSeconds(30));
    }

    @Test
    void keepsTheTokenUntilTheMarginBeforeItExpires() {
        ServiceTokenCache cache = cache(Duration.ofMinutes(5));

        assertThat(cache.get()).isEqualTo("token-1");
        clock.advance(Duration.ofMinutes(4).plusSeconds(29));
        assertThat(cache.get()).isEqualTo("token-1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get()).isEqualTo("token-2");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void aShortLivedTokenIsReplacedHalfwayThroughItsLife() {
        ServiceTokenCache cache = cache(Duration.ofSeconds(40));
        Instant now = clock.instant();

        assertThat(cache.refreshAt(now, Duration.ofSeconds(40))).isEqualTo(now.plusSeconds(20));
        assertThat(cache.get()).isEqualTo("token-1");
        clock.advance(Duration.ofSeconds(19));
        assertThat(cache.get()).isEqualTo("token-1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get()).isEqualTo("token-2");
    }

    @Test
    void aFailedFetchIsNotKept() {
        AtomicInteger calls = new AtomicInteger();
        ServiceTokenCache cache = new ServiceTokenCache(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new KeycloakCallException(KeycloakCallException.Kind.UNREACHABLE, 0, "down");
            }
            return new ServiceTokenCache.Grant("token", Duration.ofMinutes(5));
        }, clock, Duration.ofSeconds(30));

        assertThatThrownBy(cache::get).isInstanceOf(KeycloakCallException.class).hasMessage("down");
        assertThat(cache.get()).isEqualTo("token");
        assertThat(calls).hasValue(2);
    }

    @Test
    void invalidateDropsOnlyTheTokenNamed() {
        ServiceTokenCache cache = cache(Duration.ofMinutes(5));
        String first = cache.get();

        cache.invalidate("some-other-token");
        assertThat(cache.get()).isEqualTo(first);
        cache.invalidate(first);
        assertThat(cache.get()).isEqualTo("token-2");
    }

    @Test
    void concurrentCallersShareOneFetch() throws Exception {
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ServiceTokenCache cache = new ServiceTokenCache(() -> {
            fetches.incrementAndGet();
            fetching.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ServiceTokenCache.Grant("shared", Duration.ofMinutes(5));
        }, clock, Duration.ofSeconds(30));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            results.add(pool.submit(cache::get));
            assertThat(fetching.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 7; i++) {
                results.add(pool.submit(cache::get));
            }
            release.countDown();
            for (Future<String> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo("shared");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void grantsHideTheirToken() {
        assertThat(new ServiceTokenCache.Grant("eyJhbGciOi.secret-part", Duration.ofMinutes(5)).toString())
                .doesNotContain("secret-part")
                .contains("<redacted>");
    }
}
