package dev.rotor.aws;

import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.testkit.peer.PeerExtension;
import dev.rotor.testkit.peer.PeerProcess;
import dev.rotor.testkit.peer.Peers;
import dev.rotor.testkit.peer.ReadinessProbe;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The moto server as the AWS Secrets Manager peer of the integration tests: one process for the
 * whole test run, shared by every class that registers {@link #extension()}.
 */
final class Moto {

    static final String REGION = "us-east-1";
    static final String KEY_ID_ENV = "ROTOR_TEST_AWS_ACCESS_KEY_ID";
    static final String SECRET_KEY_ENV = "ROTOR_TEST_AWS_SECRET_ACCESS_KEY";
    /** moto takes any key; these are not credentials of anything. */
    static final Map<String, String> ENV = Map.of(KEY_ID_ENV, "testing", SECRET_KEY_ENV, "testing");

    private Moto() {}

    /**
     * The moto server, run through {@code moto_server.py}, which corrects moto's default read
     * after {@code UpdateSecretVersionStage} (see the script) so that moto answers a plain
     * {@code GetSecretValue} as AWS documents it.
     */
    static PeerExtension extension() {
        return PeerExtension.shared(PeerProcess.builder("moto")
                        .command("python3", script(), "-H", "{host}", "-p", "{port}")
                        .readiness(ReadinessProbe.http("/moto-api/"))
                        .startTimeout(Duration.ofSeconds(120)))
                .requires(() -> Peers.missingCommand("python3"))
                .requires(() -> Peers.commandFails(Duration.ofSeconds(60), "python3", "-c", "import moto.server")
                        .map(reason -> "the moto server cannot run (pip install 'moto[server]'): " + reason));
    }

    /**
     * A moto server of its own, per test class, that checks credentials as AWS does
     * ({@code INITIAL_NO_AUTH_ACTION_COUNT=0}): requests signed with an unknown access key get
     * HTTP 403.
     */
    static PeerExtension checkingCredentials() {
        return PeerExtension.perClass(PeerProcess.builder("moto-auth")
                        .command("python3", script(), "-H", "{host}", "-p", "{port}")
                        .env("INITIAL_NO_AUTH_ACTION_COUNT", "0")
                        .readiness(ReadinessProbe.http("/moto-api/"))
                        .startTimeout(Duration.ofSeconds(120)))
                .requires(() -> Peers.missingCommand("python3"))
                .requires(() -> Peers.commandFails(Duration.ofSeconds(60), "python3", "-c", "import moto.server")
                        .map(reason -> "the moto server cannot run (pip install 'moto[server]'): " + reason));
    }

    private static String script() {
        try {
            return Path.of(Moto.class.getResource("moto_server.py").toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings for a store on {@code endpoint} with static test credentials, plus {@code extra}. */
    static StoreConfig config(String storeName, URI endpoint, Object... extra) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("region", REGION);
        settings.put("endpoint", endpoint.toString());
        settings.put("credentials", Map.of("type", "static", "accessKeyIdEnv", KEY_ID_ENV, "secretAccessKeyEnv", SECRET_KEY_ENV));
        for (int i = 0; i < extra.length; i += 2) {
            settings.put((String) extra[i], extra[i + 1]);
        }
        return new StoreConfig(storeName, AwsStoreProvider.TYPE, settings);
    }

    static StoreContext context(Clock clock) {
        return new StoreContext(clock, ENV::get, Path.of("").toAbsolutePath());
    }

    static AwsSecretStore open(String storeName, URI endpoint, Object... extra) {
        return (AwsSecretStore) new AwsStoreProvider().open(config(storeName, endpoint, extra), context(Clock.systemUTC()));
    }

    /** A bare SDK client, as an application that does not use Rotor would make it. */
    static SecretsManagerClient plainClient(URI endpoint) {
        return SecretsManagerClient.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }
}
