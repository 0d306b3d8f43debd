package dev.rotor.kubernetes;

import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Provider of type {@code kubernetes}: Secrets of one namespace, read-only
 * ({@link KubernetesSecretStore}).
 *
 * <pre>{@code
 * stores:
 *   cluster:
 *     type: kubernetes
 *     namespace: payments      # required
 *     key: password            # optional: read this one data key as the value (default: all keys as JSON)
 *     apiServer: https://...   # optional: default in-cluster service account, else ~/.kube/config
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class KubernetesStoreProvider implements SecretStoreProvider {

    public static final String TYPE = "kubernetes";

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DATA_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
    private static final Set<String> KEYS = Set.of("namespace", "key", "apiServer");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Capabilities capabilities() {
        return KubernetesSecretStore.CAPABILITIES;
    }

    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Object> s = config.settings();
        for (String k : s.keySet()) {
            if (!KEYS.contains(k)) {
                problems.add(new ConfigProblem(config.fieldPath(k), "unknown setting (known: namespace, key, apiServer)"));
            }
        }
        Object ns = s.get("namespace");
        if (!(ns instanceof String n)) {
            problems.add(new ConfigProblem(config.fieldPath("namespace"), "required: the namespace whose Secrets the store reads"));
        } else if (!NAMESPACE.matcher(n).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("namespace"), "'" + n + "' is not a namespace name (lower-case DNS label)"));
        }
        Object key = s.get("key");
        if (key != null && !(key instanceof String k && DATA_KEY.matcher(k).matches())) {
            problems.add(new ConfigProblem(config.fieldPath("key"), "must be a Secret data key (A-Z a-z 0-9 - _ .)"));
        }
        Object api = s.get("apiServer");
        if (api != null && !(api instanceof String a && (a.startsWith("https://") || a.startsWith("http://")))) {
            problems.add(new ConfigProblem(config.fieldPath("apiServer"), "must be an http(s) URL of the Kubernetes API server"));
        }
        return problems;
    }

    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        InvalidConfigurationException.throwIfAny(validate(config, context));
        Map<String, Object> s = config.settings();
        String namespace = (String) s.get("namespace");
        KubernetesClient client = KubernetesClients.create((String) s.get("apiServer"), namespace);
        return new ClientOwningStore(new KubernetesSecretStore(config.name(), client, namespace, (String) s.get("key"), context.clock()), client);
    }

    /** Closes the client the provider made together with the store. */
    private static final class ClientOwningStore extends dev.rotor.spi.ForwardingSecretStore {
        private final KubernetesClient client;

        ClientOwningStore(SecretStore delegate, KubernetesClient client) {
            super(delegate);
            this.client = client;
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                client.close();
            }
        }
    }
}
