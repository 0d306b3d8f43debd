package dev.rotor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AccessDeniedException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read-only store against fabric8's mock API server in CRUD mode. (testkit's
 * SecretStoreContract writes in every case, so the read parts are checked here.)
 */
class KubernetesSecretStoreIT {

    private static final String NS = "payments";

    @RegisterExtension
    final RotorLeakCheck leaks = new RotorLeakCheck();

    private KubernetesApi api;
    private KubernetesSecretStore json;
    private KubernetesSecretStore single;
    private Canary password;

    @BeforeEach
    void setUp() {
        api = new KubernetesApi();
        password = leaks.canary();
        put("app-db", Map.of("username", "app", "password", password.text()));
        put("other", Map.of("token", "t"));
        json = new KubernetesSecretStore("cluster", api.client(), NS, null, Clock.systemUTC());
        single = new KubernetesSecretStore("cluster-pw", api.client(), NS, "password", Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void readsAllDataKeysAsAJsonObjectWithTheResourceVersionAsCurrent() {
        Secret s = json.get("app-db");
        assertThat(s.value().field("password").asUtf8()).isEqualTo(password.text());
        assertThat(s.value().field("username").asUtf8()).isEqualTo("app");
        String rv = api.client().secrets().inNamespace(NS).withName("app-db").get().getMetadata().getResourceVersion();
        assertThat(s.version().id()).isEqualTo(rv);
        assertThat(s.version().stages()).containsExactly(Stage.CURRENT);
        assertThat(json.versions("app-db")).extracting(VersionInfo::id).containsExactly(rv);
        assertThat(json.get("app-db", Selector.version(rv)).value().field("password").asUtf8()).isEqualTo(password.text());
        LeakChecker.assertNoCanaryIn("secret", s.toString(), leaks.canaries());
    }

    @Test
    void readsOneDataKeyAsTheValue() {
        assertThat(single.get("app-db").value().asUtf8()).isEqualTo(password.text());
        assertThatThrownBy(() -> single.get("other")).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no data key 'password'");
    }

    @Test
    void onlyCurrentExists() {
        assertThatThrownBy(() -> json.get("app-db", Selector.PREVIOUS)).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> json.get("app-db", Selector.PENDING)).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> json.get("app-db", Selector.version("999999"))).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> json.get("missing")).isInstanceOf(SecretNotFoundException.class);
        assertThatThrownBy(() -> json.versions("missing")).isInstanceOf(SecretNotFoundException.class);
    }

    @Test
    void listsByPrefixAndIsHealthy() {
        assertThat(json.list("")).containsExactly("app-db", "other");
        assertThat(json.list("app")).containsExactly("app-db");
        assertThat(json.health().up()).isTrue();
    }

    @Test
    void everyWriteIsRefusedWithATypedError() {
        Canary value = leaks.canary();
        assertThatThrownBy(() -> json.put("app-db", value.value(), PutOptions.current())).isInstanceOf(ReadOnlyStoreException.class)
                .hasMessageContaining("store 'cluster'").hasMessageContaining("read-only").hasMessageNotContaining(value.text());
        assertThatThrownBy(() -> json.promote("app-db", "1", null)).isInstanceOf(ReadOnlyStoreException.class);
        assertThatThrownBy(() -> json.moveStage("app-db", Stage.PREVIOUS, null, null)).isInstanceOf(ReadOnlyStoreException.class);
        assertThatThrownBy(() -> json.delete("app-db")).isInstanceOf(ReadOnlyStoreException.class);
        assertThat(json.get("app-db").value().field("password").asUtf8()).isEqualTo(password.text());
    }

    @Test
    void anRbacRefusalIsAccessDeniedNamingTheNamespaceAndVerb() {
        api.refuseSecrets("GET");
        assertThatThrownBy(() -> json.get("app-db")).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("get secrets payments/app-db").hasMessageContaining("403");
        assertThat(json.health().up()).isFalse();
    }

    private void put(String name, Map<String, String> data) {
        Map<String, String> encoded = new java.util.LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        api.client().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(encoded).build()).create();
    }
}
