package dev.rotor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The AWS side of {@link CachedReadBenchmark} against a real moto server: the state starts moto,
 * stores the secret and warms the cache, the benchmark method reads the stored secret, and the
 * teardown stops moto. Measures nothing.
 */
class AwsSecretCacheStateIT {

    @BeforeAll
    static void motoIsInstalled() throws Exception {
        Process check = new ProcessBuilder("python3", "-c", "import moto.server").redirectErrorStream(true).start();
        boolean installed = check.waitFor() == 0;
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("moto[server] is required with CI=true (python3 -m pip install 'moto[server]')");
        }
        assumeTrue(installed, "moto[server] is not installed for python3: skipping the AWS comparison");
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
