package dev.rotor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.peer.Peers;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The AWS side of {@link CachedReadBenchmark} against a real moto server: the state starts moto,
 * stores the secret and warms the cache, the benchmark method reads the stored secret, and the
 * teardown stops moto. Measures nothing.
 */
class AwsSecretCacheStateIT {

    @BeforeAll
    static void motoIsInstalled() {
        // Skipped with a reason on a developer's machine without moto; a failure with CI=true.
        Peers.require("moto", Peers.commandFails(Duration.ofSeconds(20), "python3", "-c", "import moto.server"));
    }

    @Test
    void benchmarkMethodReadsTheSecretStoredInMotoAndTeardownStopsMoto() {
        AwsSecretCacheState state = new AwsSecretCacheState();
        state.start();
        URI endpoint;
        try {
            endpoint = state.endpoint();
            CachedReadBenchmark benchmark = new CachedReadBenchmark();
            assertThat(benchmark.awsSecretCache(state)).isEqualTo(BenchmarkSecret.json());
            assertThat(benchmark.awsSecretCache(state)).isEqualTo(BenchmarkSecret.json());
        } finally {
            state.stop();
        }
        assertThatThrownBy(() -> {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.getResponseCode();
        }).isInstanceOf(IOException.class);
    }
}
