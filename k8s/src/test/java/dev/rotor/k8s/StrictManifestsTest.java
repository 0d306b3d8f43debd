package dev.rotor.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictManifestsTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              replicas: 2
              selector:
                matchLabels: { app: demo }
              template:
                metadata:
                  labels: { app: demo }
                spec:
                  containers:
                    - name: demo
                      image: example/demo:1.0
                      securityContext:
                        runAsNonRoot: true
                        readOnlyRootFilesystem: true
                      resources:
                        limits: { cpu: 500m, memory: 128Mi }
            """;

    private final StrictManifests manifests = new StrictManifests();

    @Test
    void aCorrectManifestParsesIntoTheTypedModel() {
        List<HasMetadata> objects = manifests.parse(DEPLOYMENT + "---\n" + """
                apiVersion: v1
                kind: ServiceAccount
                metadata: { name: demo }
                automountServiceAccountToken: false
                """);

        assertThat(objects).hasSize(2);
        Deployment d = (Deployment) objects.get(0);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("128Mi");
        assertThat(objects.get(1).getMetadata().getName()).isEqualTo("demo");
    }

    @Test
    void aMisspelledTopLevelFieldFails() {
        String typo = DEPLOYMENT.replace("  replicas: 2", "  replica: 2");

        assertThatThrownBy(() -> manifests.parse(typo))
                .isInstanceOf(StrictManifests.ManifestException.class)
                .hasMessageContaining("apps/v1/Deployment demo")
                .hasMessageContaining("\"replica\"")
                .hasMessageContaining("spec.replica");
    }

    @Test
    void aMisspelledNestedFieldFails() {
        // The typo that would silently let a container run as root.
        String typo = DEPLOYMENT.replace("runAsNonRoot: true", "runAsNonroot: true");

        assertThatThrownBy(() -> manifests.parse(typo))
                .isInstanceOf(StrictManifests.ManifestException.class)
                .hasMessageContaining("\"runAsNonroot\"")
                .hasMessageContaining("spec.template.spec.containers[0].securityContext.runAsNonroot");
    }

    @Test
    void aMisspelledFieldInMetadataFails() {
        String typo = DEPLOYMENT.replace("metadata:\n  name: demo", "metadata:\n  name: demo\n  label: { a: b }");

        assertThatThrownBy(() -> manifests.parse(typo))
                .isInstanceOf(StrictManifests.ManifestException.class)
                .hasMessageContaining("\"label\"");
    }

    @Test
    void aKindTheChecksDoNotKnowFails() {
        assertThatThrownBy(() -> manifests.parse("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: { name: w }
                """))
                .isInstanceOf(StrictManifests.ManifestException.class)
                .hasMessageContaining("example.com/v1/Widget w")
                .hasMessageContaining("kind not known");
    }
}
