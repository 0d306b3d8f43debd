package dev.rotor.k8s;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The hardening rules every rendered object must keep, as a list of violations (empty when
 * all hold), each naming the object and the container:
 *
 * <ul>
 *   <li>every container, init containers and CronJob/Job containers included: runs as a
 *       non-root user and group (runAsNonRoot, non-zero runAsUser and runAsGroup, from the
 *       container or the pod), not privileged, no privilege escalation, a read-only root file
 *       system, all capabilities dropped and none added, seccomp RuntimeDefault, CPU and memory
 *       requests and limits, an image pinned by tag or digest (not {@code latest});</li>
 *   <li>long-running containers (Deployment, StatefulSet, DaemonSet, Pod) have liveness and
 *       readiness probes; a Job's or CronJob's container runs to completion, so probes are not
 *       asked of it (a readiness probe gates Service traffic, which a one-shot pass never
 *       takes, and its end is its exit code);</li>
 *   <li>no host network, PID or IPC namespace;</li>
 *   <li>no Secret carries data (no credential committed); no ClusterRole or
 *       ClusterRoleBinding; no wildcard in a Role; a Role's rules on Secrets name them.</li>
 * </ul>
 *
 * Stateless.
 */
final class PodPolicy {

    private static final Set<String> READ_WRITE_SECRET_VERBS = Set.of("get", "update", "patch");

    private PodPolicy() {}

    /** A pod spec and whether its containers run until stopped (so need probes). */
    record Workload(String name, PodSpec spec, boolean longRunning) {}

    /** The pod specs of every workload among the objects. */
    static List<Workload> workloads(List<HasMetadata> objects) {
        List<Workload> out = new ArrayList<>();
        for (HasMetadata o : objects) {
            String name = o.getKind() + "/" + o.getMetadata().getName();
            switch (o) {
                case Deployment d -> out.add(new Workload(name, d.getSpec().getTemplate().getSpec(), true));
                case StatefulSet s -> out.add(new Workload(name, s.getSpec().getTemplate().getSpec(), true));
                case DaemonSet s -> out.add(new Workload(name, s.getSpec().getTemplate().getSpec(), true));
                case Pod p -> out.add(new Workload(name, p.getSpec(), true));
                case Job j -> out.add(new Workload(name, j.getSpec().getTemplate().getSpec(), false));
                case CronJob c -> out.add(new Workload(name, c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec(), false));
                default -> { }
            }
        }
        return out;
    }

    /** Every rule broken by the objects, one line each. */
    static List<String> violations(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        for (Workload w : workloads(objects)) {
            pod(w, v);
        }
        for (HasMetadata o : objects) {
            String name = o.getKind() + "/" + o.getMetadata().getName();
            switch (o) {
                case Secret s -> {
                    if (!isEmpty(s.getData()) || !isEmpty(s.getStringData())) {
                        v.add(name + ": carries data; a Secret's value is never committed");
                    }
                }
                case ClusterRole r -> v.add(name + ": cluster-wide permissions; use a Role in each namespace");
                case ClusterRoleBinding b -> v.add(name + ": cluster-wide binding; use a RoleBinding in each namespace");
                case Role r -> role(name, r, v);
                default -> { }
            }
        }
        return v;
    }

    private static void role(String name, Role role, List<String> v) {
        for (PolicyRule rule : role.getRules()) {
            for (List<String> list : List.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups(), rule.getResourceNames())) {
                if (list.contains("*")) {
                    v.add(name + ": a rule with '*' " + rule.getResources());
                }
            }
            if (rule.getResources().contains("secrets")) {
                if (rule.getResourceNames().isEmpty()) {
                    v.add(name + ": a rule on secrets that names none (resourceNames)");
                }
                for (String verb : rule.getVerbs()) {
                    if (!READ_WRITE_SECRET_VERBS.contains(verb)) {
                        v.add(name + ": verb '" + verb + "' on secrets (allowed: get, update, patch)");
                    }
                }
            }
        }
    }

    private static void pod(Workload w, List<String> v) {
        PodSpec spec = w.spec();
        if (Boolean.TRUE.equals(spec.getHostNetwork()) || Boolean.TRUE.equals(spec.getHostPID()) || Boolean.TRUE.equals(spec.getHostIPC())) {
            v.add(w.name() + ": shares a host namespace (hostNetwork, hostPID or hostIPC)");
        }
        PodSecurityContext pod = spec.getSecurityContext() == null ? new PodSecurityContext() : spec.getSecurityContext();
        for (Container c : spec.getInitContainers()) {
            container(w.name() + " init container " + c.getName(), c, pod, false, v);
        }
        for (Container c : spec.getContainers()) {
            container(w.name() + " container " + c.getName(), c, pod, w.longRunning(), v);
        }
    }

    private static void container(String where, Container c, PodSecurityContext pod, boolean needsProbes, List<String> v) {
        SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
        if (!Boolean.TRUE.equals(effective(sc.getRunAsNonRoot(), pod.getRunAsNonRoot()))) {
            v.add(where + ": may run as root (runAsNonRoot is not true)");
        }
        Long user = effective(sc.getRunAsUser(), pod.getRunAsUser());
        if (user == null || user == 0) {
            v.add(where + ": no non-zero runAsUser");
        }
        Long group = effective(sc.getRunAsGroup(), pod.getRunAsGroup());
        if (group == null || group == 0) {
            v.add(where + ": no non-zero runAsGroup");
        }
        if (Boolean.TRUE.equals(sc.getPrivileged())) {
            v.add(where + ": privileged");
        }
        if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            v.add(where + ": allowPrivilegeEscalation is not false");
        }
        if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
            v.add(where + ": readOnlyRootFilesystem is not true");
        }
        Capabilities caps = sc.getCapabilities();
        if (caps == null || !caps.getDrop().contains("ALL")) {
            v.add(where + ": does not drop ALL capabilities");
        }
        if (caps != null && !caps.getAdd().isEmpty()) {
            v.add(where + ": adds capabilities " + caps.getAdd());
        }
        SeccompProfile seccomp = effective(sc.getSeccompProfile(), pod.getSeccompProfile());
        if (seccomp == null || !"RuntimeDefault".equals(seccomp.getType())) {
            v.add(where + ": seccomp profile is not RuntimeDefault");
        }
        ResourceRequirements r = c.getResources();
        for (String kind : List.of("cpu", "memory")) {
            if (r == null || quantity(r.getLimits(), kind).isEmpty()) {
                v.add(where + ": no " + kind + " limit");
            }
            if (r == null || quantity(r.getRequests(), kind).isEmpty()) {
                v.add(where + ": no " + kind + " request");
            }
        }
        if (!pinned(c.getImage())) {
            v.add(where + ": image '" + c.getImage() + "' is not pinned by a tag or digest");
        }
        if (needsProbes && c.getLivenessProbe() == null) {
            v.add(where + ": no liveness probe");
        }
        if (needsProbes && c.getReadinessProbe() == null) {
            v.add(where + ": no readiness probe");
        }
    }

    /** True for {@code name:tag} (tag not {@code latest}) or {@code name@sha256:...}. */
    static boolean pinned(@Nullable String image) {
        if (image == null || image.isBlank()) {
            return false;
        }
        if (image.contains("@sha256:")) {
            return true;
        }
        String last = image.substring(image.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        return colon > 0 && colon < last.length() - 1 && !last.substring(colon + 1).equals("latest");
    }

    private static Optional<Quantity> quantity(@Nullable Map<String, Quantity> map, String key) {
        return Optional.ofNullable(map).map(m -> m.get(key));
    }

    private static <T> @Nullable T effective(@Nullable T container, @Nullable T pod) {
        return container != null ? container : pod;
    }

    private static boolean isEmpty(@Nullable Map<?, ?> map) {
        return map == null || map.isEmpty();
    }

    static <T> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return ofType(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }
}
