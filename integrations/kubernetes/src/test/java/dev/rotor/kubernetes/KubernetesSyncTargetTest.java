package dev.rotor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.ConfigProblem;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesSyncTargetTest {

    @Test
    void bindsAWholeValueKeyAndAFieldMapping() {
        List<ConfigProblem> problems = new ArrayList<>();
        KubernetesSyncTarget whole = KubernetesSyncTarget.bind(Map.of("kubernetes", Map.of("namespace", "payments", "secret", "app-db",
                "keys", "password", "restart", List.of("api", "worker"))), "policies[0].sync", problems);
        KubernetesSyncTarget fields = KubernetesSyncTarget.bind(Map.of("kubernetes", Map.of("namespace", "payments", "secret", "app-db",
                "keys", Map.of("username", "DB_USER", "password", "DB_PASSWORD"))), "policies[1].sync", problems);
        assertThat(problems).isEmpty();
        assertThat(whole).isEqualTo(new KubernetesSyncTarget("payments", "app-db", "password", Map.of(), List.of("api", "worker")));
        assertThat(fields.fields()).containsExactlyInAnyOrderEntriesOf(Map.of("username", "DB_USER", "password", "DB_PASSWORD"));
        assertThat(fields.wholeValueKey()).isNull();
        assertThat(fields.restart()).isEmpty();
        assertThat(whole.describe()).isEqualTo("kubernetes:payments/app-db");
    }

    @Test
    void reportsEveryProblemNamingItsField() {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Object> k8s = new java.util.LinkedHashMap<>();
        k8s.put("namespace", "Payments");
        k8s.put("secret", "app_db");
        k8s.put("keys", Map.of("a", "DB USER", "b", 3));
        k8s.put("restart", List.of("ok", "Bad!"));
        k8s.put("colour", "blue");
        KubernetesSyncTarget t = KubernetesSyncTarget.bind(Map.of("kubernetes", k8s, "vault", Map.of()), "policies[2].sync", problems);
        assertThat(t).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "policies[2].sync.vault",
                "policies[2].sync.kubernetes.colour",
                "policies[2].sync.kubernetes.namespace",
                "policies[2].sync.kubernetes.secret",
                "policies[2].sync.kubernetes.keys.a",
                "policies[2].sync.kubernetes.keys.b",
                "policies[2].sync.kubernetes.restart[1]");
    }

    @Test
    void requiresTheNamesAndKeys() {
        List<ConfigProblem> problems = new ArrayList<>();
        assertThat(KubernetesSyncTarget.bind(Map.of("kubernetes", Map.of()), "p.sync", problems)).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactlyInAnyOrder("p.sync.kubernetes.namespace",
                "p.sync.kubernetes.secret", "p.sync.kubernetes.keys");
        problems.clear();
        assertThat(KubernetesSyncTarget.bind("yes", "p.sync", problems)).isNull();
        assertThat(problems).extracting(ConfigProblem::field).containsExactly("p.sync");
    }

    @Test
    void theStoreProviderChecksItsSettingsOffline() {
        KubernetesStoreProvider p = new KubernetesStoreProvider();
        assertThat(p.type()).isEqualTo("kubernetes");
        assertThat(p.validate(new StoreConfig("cluster", "kubernetes", Map.of("namespace", "payments", "key", "password")),
                StoreContext.system())).isEmpty();
        assertThat(p.validate(new StoreConfig("cluster", "kubernetes", Map.of("namespace", "Bad NS", "key", "a b", "apiServer", "ftp://x",
                "extra", 1)), StoreContext.system())).extracting(ConfigProblem::field).containsExactlyInAnyOrder(
                "stores.cluster.namespace", "stores.cluster.key", "stores.cluster.apiServer", "stores.cluster.extra");
        assertThat(p.validate(new StoreConfig("cluster", "kubernetes", Map.of()), StoreContext.system()))
                .extracting(ConfigProblem::field).containsExactly("stores.cluster.namespace");
    }
}
