package dev.rotor.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AccessDeniedException;
import dev.rotor.Health;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.testkit.peer.PeerExtension;
import dev.rotor.testkit.peer.PeerProcess;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input against a live peer: each gives a clear error naming the setting, the path or the store. */
class AwsBadInputIT {

    @RegisterExtension
    static final PeerExtension MOTO_AUTH = Moto.checkingCredentials();

    private final String prefix = "bad-input/" + UUID.randomUUID() + "/";

    @Test
    void wrongCredentialsAreAccessDeniedAndHealthSaysSo() {
        try (AwsSecretStore store = Moto.open("aws", MOTO_AUTH.peer().uri())) {
            assertThatThrownBy(() -> store.get(prefix + "db"))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("store 'aws'")
                    .hasMessageContaining("AWS refused the get of secret '" + prefix + "db'")
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("check the credentials");
            assertThatThrownBy(() -> store.put(prefix + "db", SecretValue.ofUtf8("v"), PutOptions.current()))
                    .isInstanceOf(AccessDeniedException.class);

            Health health = store.health();
            assertThat(health.up()).isFalse();
            assertThat(health.detail()).contains("AWS refused the health check");
        }
    }

    @Test
    void anUnreachableEndpointIsARetryableUnavailabilityNamingIt() {
        URI closed = URI.create("http://127.0.0.1:" + PeerProcess.freeLoopbackPort());
        try (AwsSecretStore store = Moto.open("aws", closed)) {
            assertThatThrownBy(() -> store.get(prefix + "db"))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("could not reach AWS Secrets Manager at " + closed)
                    .satisfies(e -> assertThat(((ProviderUnavailableException) e).isRetryable()).isTrue());
            assertThat(store.health().up()).isFalse();
        }
    }

    @Test
    void malformedPathsAndNamesTooLongForAwsAreRefusedBeforeAnyCall() {
        URI unused = URI.create("http://127.0.0.1:" + PeerProcess.freeLoopbackPort());
        try (AwsSecretStore store = Moto.open("aws", unused, "namePrefix", "team/" + "n".repeat(230) + "/")) {
            assertThatThrownBy(() -> store.get("app db"))
                    .isInstanceOf(InvalidSecretRefException.class)
                    .hasMessageContaining("app db")
                    .hasMessageContaining("not allowed");
            assertThatThrownBy(() -> store.put("x".repeat(300), SecretValue.ofUtf8("v"), PutOptions.current()))
                    .isInstanceOf(InvalidSecretRefException.class)
                    .hasMessageContaining("too long for AWS Secrets Manager")
                    .hasMessageContaining("512");
        }
    }

    @Test
    void versionTagsTooLargeForAnAwsTagAreRefusedNamingThePathAndTheLimit() {
        URI unused = URI.create("http://127.0.0.1:" + PeerProcess.freeLoopbackPort());
        try (AwsSecretStore store = Moto.open("aws", unused)) {
            assertThatThrownBy(() -> store.put(prefix + "tagged", SecretValue.ofUtf8("v"),
                    PutOptions.current().withTags(Map.of("note", "n".repeat(300)))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(prefix + "tagged")
                    .hasMessageContaining("256");
        }
    }

    @Test
    void aVersionIdAwsCannotHoldIsNotFoundNamingIt() {
        URI unused = URI.create("http://127.0.0.1:" + PeerProcess.freeLoopbackPort());
        try (AwsSecretStore store = Moto.open("aws", unused)) {
            assertThatThrownBy(() -> store.get(prefix + "db", dev.rotor.Selector.version("v7")))
                    .isInstanceOf(SecretNotFoundException.class)
                    .hasMessageContaining(prefix + "db")
                    .hasMessageContaining("'v7'");
        }
    }
}
