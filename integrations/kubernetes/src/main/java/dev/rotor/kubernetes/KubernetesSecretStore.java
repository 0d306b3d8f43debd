package dev.rotor.kubernetes;

import dev.rotor.AccessDeniedException;
import dev.rotor.Capabilities;
import dev.rotor.Health;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Kubernetes Secrets of one namespace as a read-only store: the path is the Secret's name, the
 * value its data (a JSON object of every data key, or one data key's bytes when {@code key} is
 * set). Kubernetes keeps no history, so there is only CURRENT, and its version id is the
 * Secret's {@code resourceVersion}. Writes throw {@link ReadOnlyStoreException}.
 *
 * <p>Thread-safe, as the fabric8 client is.
 */
public final class KubernetesSecretStore implements SecretStore {

    /** Values up to the 1 MiB a Secret may hold; binary values (with {@code key}); no native stages, no tags. */
    public static final Capabilities CAPABILITIES = new Capabilities(1024 * 1024, true, false, false);

    private final String name;
    private final KubernetesClient client;
    private final String namespace;
    private final @Nullable String key;
    private final Clock clock;

    /**
     * @param name the store's name in {@code rotor.yaml}
     * @param namespace the namespace whose Secrets it reads
     * @param key the one data key to read as the value, or {@code null} for all keys as a JSON object
     */
    public KubernetesSecretStore(String name, KubernetesClient client, String namespace, @Nullable String key, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.key = key;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Secret get(String path, Selector selector) {
        Objects.requireNonNull(selector, "selector");
        io.fabric8.kubernetes.api.model.Secret s = read(path);
        if (s == null) {
            throw SecretNotFoundException.of(name, path, selector);
        }
        VersionInfo version = version(s);
        boolean match = switch (selector) {
            case Selector.ByStage st -> st.stage() == Stage.CURRENT;
            case Selector.ByVersion v -> v.versionId().equals(version.id());
        };
        if (!match) {
            throw SecretNotFoundException.of(name, path, selector);
        }
        return new Secret(path, version, value(s, path));
    }

    @Override
    public List<VersionInfo> versions(String path) {
        io.fabric8.kubernetes.api.model.Secret s = read(path);
        if (s == null) {
            throw SecretNotFoundException.of(name, path);
        }
        return List.of(version(s));
    }

    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        List<io.fabric8.kubernetes.api.model.Secret> all = call("list", "", () -> client.secrets().inNamespace(namespace).list().getItems());
        return all.stream().map(s -> s.getMetadata().getName()).filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    @Override
    public Health health() {
        Instant start = clock.instant();
        try {
            call("list", "", () -> client.secrets().inNamespace(namespace).list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()));
            return Health.up(Duration.between(start, clock.instant()));
        } catch (RuntimeException e) {
            return Health.down(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), Duration.between(start, clock.instant()));
        }
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        throw refused("put", path);
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        throw refused("promote", path);
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        throw refused("move a stage of", path);
    }

    @Override
    public void delete(String path) {
        throw refused("delete", path);
    }

    /** The client is the caller's (the provider's store closes the one it made). */
    @Override
    public void close() {}

    private ReadOnlyStoreException refused(String verb, String path) {
        return new ReadOnlyStoreException("store '" + name + "' (Kubernetes Secrets of namespace " + namespace + ") is read-only: cannot "
                + verb + " " + path + "; write to the store the secret is synced from");
    }

    private io.fabric8.kubernetes.api.model.@Nullable Secret read(String path) {
        Objects.requireNonNull(path, "path");
        return call("get", path, () -> client.secrets().inNamespace(namespace).withName(path).get());
    }

    private SecretValue value(io.fabric8.kubernetes.api.model.Secret s, String path) {
        Map<String, String> data = s.getData() == null ? Map.of() : s.getData();
        Base64.Decoder b64 = Base64.getDecoder();
        if (key != null) {
            String encoded = data.get(key);
            if (encoded == null) {
                throw new SecretNotFoundException("secret " + name + "/" + path + " has no data key '" + key + "'");
            }
            return SecretValue.wrap(b64.decode(encoded));
        }
        Map<String, String> fields = new TreeMap<>();
        data.forEach((k, v) -> fields.put(k, new String(b64.decode(v), StandardCharsets.UTF_8)));
        return SecretValue.ofFields(fields);
    }

    private static VersionInfo version(io.fabric8.kubernetes.api.model.Secret s) {
        String rv = s.getMetadata().getResourceVersion();
        Instant created = Instant.EPOCH;
        if (s.getMetadata().getCreationTimestamp() != null) {
            try {
                created = Instant.parse(s.getMetadata().getCreationTimestamp());
            } catch (DateTimeParseException e) {
                // an odd timestamp does not make the value unreadable
            }
        }
        return new VersionInfo(rv == null ? "0" : rv, created, Set.of(Stage.CURRENT), Map.of());
    }

    private static String rootType(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    private <T> T call(String verb, String path, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            String what = verb + " secrets " + namespace + (path.isEmpty() ? "" : "/" + path) + " (store '" + name + "')";
            if (e.getCode() == 403 || e.getCode() == 401) {
                throw new AccessDeniedException("kubernetes: " + what + " refused (" + e.getCode() + "): the service account needs RBAC verb '"
                        + verb + "' on secrets in namespace " + namespace, e);
            }
            boolean retryable = e.getCode() <= 0 || e.getCode() == 429 || e.getCode() >= 500;
            throw new ProviderUnavailableException("kubernetes: " + what + " failed (" + (e.getCode() <= 0 ? "no response: " + rootType(e) : "HTTP " + e.getCode()) + ")",
                    retryable, e);
        }
    }
}
