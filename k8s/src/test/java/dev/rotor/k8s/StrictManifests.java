package dev.rotor.k8s;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads rendered manifests (YAML, several documents) into fabric8's typed model, strictly: a
 * field the model does not know fails, so a misspelled field ({@code runAsNonroot}) cannot
 * silently turn a setting off, and a kind not listed here fails too.
 *
 * <p>fabric8's model classes keep unknown fields in an "additional properties" map; this
 * reader removes that catch-all from every fabric8 class so that Jackson's
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} applies to them. Thread-safe once built.
 */
final class StrictManifests {

    /** {@code apiVersion/kind} to the model class. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/Pod", Pod.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("apps/v1/DaemonSet", DaemonSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("batch/v1/CronJob", CronJob.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class));

    private final ObjectMapper mapper;

    StrictManifests() {
        SimpleModule noCatchAll = new SimpleModule("rotor-strict-fabric8");
        noCatchAll.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                    BeanDeserializerBuilder builder) {
                if (description.getBeanClass().getName().startsWith("io.fabric8.")) {
                    builder.setAnySetter(null);
                    builder.setIgnoreUnknownProperties(false);
                }
                return builder;
            }
        });
        this.mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addModule(noCatchAll)
                .build();
    }

    /**
     * Every object of a multi-document YAML text, in order.
     *
     * @throws ManifestException naming the document and the field that does not parse
     */
    List<HasMetadata> parse(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        int index = 0;
        try (MappingIterator<JsonNode> docs = mapper.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                    index++;
                    continue;
                }
                out.add(parseOne(doc, index++));
            }
        } catch (JsonProcessingException e) {
            throw new ManifestException("document " + index + ": not YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ManifestException("document " + index + ": cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        return out;
    }

    private HasMetadata parseOne(JsonNode doc, int index) {
        String key = doc.path("apiVersion").asText("") + "/" + doc.path("kind").asText("");
        String where = "document " + index + " (" + key + " " + doc.path("metadata").path("name").asText("?") + ")";
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
            throw new ManifestException(where + ": kind not known to these checks (known: " + String.join(", ", KINDS.keySet()) + ")", null);
        }
        try {
            return mapper.treeToValue(doc, type);
        } catch (JsonProcessingException e) {
            throw new ManifestException(where + ": " + e.getOriginalMessage() + " at " + path(e), e);
        }
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                sb.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
            }
            return sb.isEmpty() ? "(top)" : sb.substring(sb.charAt(0) == '.' ? 1 : 0);
        }
        return "(unknown position)";
    }

    /** A manifest that does not parse strictly. */
    static final class ManifestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
