package dev.rotor.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodPolicyTest {

    /** A hardened container, indented for a list item at {@code spaces}. */
    private static String container(String name, int spaces, boolean probes) {
        String c = """
                - name: %s
                  image: example/app:1.2.3
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 10001
                    runAsGroup: 10001
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                    capabilities: { drop: [ALL] }
                    seccompProfile: { type: RuntimeDefault }
                  resources:
                    requests: { cpu: 50m, memory: 64Mi }
                    limits: { cpu: 500m, memory: 128Mi }
                """.formatted(name);
        if (probes) {
            c += """
                      livenessProbe: { httpGet: { path: /health, port: 8080 } }
                      readinessProbe: { httpGet: { path: /ready, port: 8080 } }
                    """;
        }
        return c.indent(spaces);
    }

    private final StrictManifests manifests = new StrictManifests();

    @Test
    void aHardenedDeploymentAndCronJobBreakNoRule() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: ok }
                spec:
                  selector: { matchLabels: { a: b } }
                  template:
                    metadata: { labels: { a: b } }
                    spec:
                      initContainers:
                """ + container("init", 8, false) + """
                      containers:
                """ + container("main", 8, true) + """
                ---
                apiVersion: batch/v1
                kind: CronJob
                metadata: { name: pass }
                spec:
                  schedule: "0 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: Never
                          containers:
                """ + container("once", 12, false) + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: { name: filled-by-rotor }
                """;

        assertThat(PodPolicy.workloads(manifests.parse(yaml))).extracting(PodPolicy.Workload::name)
                .containsExactly("Deployment/ok", "CronJob/pass");
        assertThat(PodPolicy.violations(manifests.parse(yaml))).isEmpty();
    }

    @Test
    void everyWeakeningOfAContainerIsReported() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: weak }
                spec:
                  selector: { matchLabels: { a: b } }
                  template:
                    metadata: { labels: { a: b } }
                    spec:
                      hostNetwork: true
                      initContainers:
                        - name: setup
                          image: example/setup:latest
                          securityContext:
                            runAsUser: 0
                            privileged: true
                            capabilities: { add: [NET_ADMIN] }
                      containers:
                        - name: main
                          image: example/app
                """;

        assertThat(PodPolicy.violations(manifests.parse(yaml))).containsExactlyInAnyOrder(
                "Deployment/weak: shares a host namespace (hostNetwork, hostPID or hostIPC)",
                "Deployment/weak init container setup: may run as root (runAsNonRoot is not true)",
                "Deployment/weak init container setup: no non-zero runAsUser",
                "Deployment/weak init container setup: no non-zero runAsGroup",
                "Deployment/weak init container setup: privileged",
                "Deployment/weak init container setup: allowPrivilegeEscalation is not false",
                "Deployment/weak init container setup: readOnlyRootFilesystem is not true",
                "Deployment/weak init container setup: does not drop ALL capabilities",
                "Deployment/weak init container setup: adds capabilities [NET_ADMIN]",
                "Deployment/weak init container setup: seccomp profile is not RuntimeDefault",
                "Deployment/weak init container setup: no cpu limit",
                "Deployment/weak init container setup: no cpu request",
                "Deployment/weak init container setup: no memory limit",
                "Deployment/weak init container setup: no memory request",
                "Deployment/weak init container setup: image 'example/setup:latest' is not pinned by a tag or digest",
                "Deployment/weak container main: may run as root (runAsNonRoot is not true)",
                "Deployment/weak container main: no non-zero runAsUser",
                "Deployment/weak container main: no non-zero runAsGroup",
                "Deployment/weak container main: allowPrivilegeEscalation is not false",
                "Deployment/weak container main: readOnlyRootFilesystem is not true",
                "Deployment/weak container main: does not drop ALL capabilities",
                "Deployment/weak container main: seccomp profile is not RuntimeDefault",
                "Deployment/weak container main: no cpu limit",
                "Deployment/weak container main: no cpu request",
                "Deployment/weak container main: no memory limit",
                "Deployment/weak container main: no memory request",
                "Deployment/weak container main: image 'example/app' is not pinned by a tag or digest",
                "Deployment/weak container main: no liveness probe",
                "Deployment/weak container main: no readiness probe");
    }

    @Test
    void podLevelSettingsCountForEveryContainerAndAContainerMayNotUndoThem() {
        String yaml = """
                apiVersion: batch/v1
                kind: Job
                metadata: { name: once }
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      securityContext:
                        runAsNonRoot: true
                        runAsUser: 10001
                        runAsGroup: 10001
                        seccompProfile: { type: RuntimeDefault }
                      containers:
                        - name: main
                          image: example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                          securityContext:
                            runAsNonRoot: false
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                            capabilities: { drop: [ALL] }
                            seccompProfile: { type: Unconfined }
                          resources:
                            requests: { cpu: 50m, memory: 64Mi }
                            limits: { cpu: 500m, memory: 128Mi }
                """;

        assertThat(PodPolicy.violations(manifests.parse(yaml))).containsExactlyInAnyOrder(
                "Job/once container main: may run as root (runAsNonRoot is not true)",
                "Job/once container main: seccomp profile is not RuntimeDefault");
    }

    @Test
    void secretDataClusterWideRightsAndUnnamedSecretRulesAreReported() {
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata: { name: literal }
                stringData: { password: not-a-real-one }
                ---
                apiVersion: v1
                kind: Secret
                metadata: { name: encoded }
                data: { password: bm90LWEtcmVhbC1vbmU= }
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: { name: wide }
                rules: []
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: { name: wide }
                roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wide }
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: { name: loose }
                rules:
                  - apiGroups: [""]
                    resources: [secrets]
                    verbs: [get, list, delete]
                  - apiGroups: [apps]
                    resources: [deployments]
                    verbs: ["*"]
                """;

        assertThat(PodPolicy.violations(manifests.parse(yaml))).containsExactlyInAnyOrder(
                "Secret/literal: carries data; a Secret's value is never committed",
                "Secret/encoded: carries data; a Secret's value is never committed",
                "ClusterRole/wide: cluster-wide permissions; use a Role in each namespace",
                "ClusterRoleBinding/wide: cluster-wide binding; use a RoleBinding in each namespace",
                "Role/loose: a rule on secrets that names none (resourceNames)",
                "Role/loose: verb 'list' on secrets (allowed: get, update, patch)",
                "Role/loose: verb 'delete' on secrets (allowed: get, update, patch)",
                "Role/loose: a rule with '*' [deployments]");
    }

    @Test
    void imagesArePinnedByTagOrDigest() {
        assertThat(PodPolicy.pinned("registry.example.com:5000/rotor/rotor:0.1.0")).isTrue();
        assertThat(PodPolicy.pinned("rotor@sha256:abc")).isTrue();
        assertThat(PodPolicy.pinned("registry.example.com:5000/rotor/rotor")).isFalse();
        assertThat(PodPolicy.pinned("rotor:latest")).isFalse();
        assertThat(PodPolicy.pinned("rotor:")).isFalse();
    }
}
