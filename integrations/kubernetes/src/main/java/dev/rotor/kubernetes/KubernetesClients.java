package dev.rotor.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import org.jspecify.annotations.Nullable;

/** Kubernetes clients as Rotor makes them: fabric8's auto-configuration, and no HTTP body logging. */
public final class KubernetesClients {

    /** The name fabric8 registers its request and response body logger under (at TRACE). */
    private static final String BODY_LOGGING = "HttpLogging";

    private KubernetesClients() {}

    /**
     * A client from the in-cluster service account or the kubeconfig (fabric8's auto-configuration).
     *
     * @param apiServer another API server URL, or {@code null}
     * @param namespace the default namespace, or {@code null}
     */
    public static KubernetesClient create(@Nullable String apiServer, @Nullable String namespace) {
        ConfigBuilder cb = new ConfigBuilder(Config.autoConfigure(null));
        if (apiServer != null) {
            cb.withMasterUrl(apiServer);
        }
        if (namespace != null) {
            cb.withNamespace(namespace);
        }
        return configure(new KubernetesClientBuilder().withConfig(cb.build())).build();
    }

    /**
     * Removes fabric8's HTTP body logger from clients this builder makes: with TRACE enabled it
     * logs every request and response body, Secret data included.
     */
    public static KubernetesClientBuilder configure(KubernetesClientBuilder builder) {
        return builder.withHttpClientBuilderConsumer(KubernetesClients::withoutBodyLogging);
    }

    private static void withoutBodyLogging(HttpClient.Builder b) {
        b.addOrReplaceInterceptor(BODY_LOGGING, null);
    }
}
