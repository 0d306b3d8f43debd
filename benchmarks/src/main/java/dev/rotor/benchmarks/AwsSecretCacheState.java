package dev.rotor.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import java.net.URI;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The comparison side: AWS's {@link SecretCache} with default settings (1 h item TTL) over an
 * SDK v2 client pointed at a local moto server holding {@link BenchmarkSecret}. Set up once per
 * trial and warmed with one read, so every measured call is a cache hit.
 *
 * <p>Shared by all benchmark threads ({@link Scope#Benchmark}), as an application shares one cache.
 */
@State(Scope.Benchmark)
public class AwsSecretCacheState {

    private MotoServer moto;
    private SecretsManagerClient client;
    private SecretCache cache;

    @Setup(Level.Trial)
    public void start() {
        moto = MotoServer.start();
        client = SecretsManagerClient.builder()
                .endpointOverride(moto.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        client.createSecret(b -> b.name(BenchmarkSecret.PATH).secretString(BenchmarkSecret.json()));
        cache = new SecretCache(client);
        String warm = cache.getSecretString(BenchmarkSecret.PATH);
        if (!BenchmarkSecret.json().equals(warm)) {
            throw new IllegalStateException("SecretCache did not return the secret stored in moto");
        }
    }

    /** Where moto listens. */
    public URI endpoint() {
        return moto.endpoint();
    }

    /** The warm cache. */
    public SecretCache cache() {
        return cache;
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (cache != null) {
            cache.close();
        }
        if (client != null) {
            client.close();
        }
        if (moto != null) {
            moto.close();
        }
    }
}
