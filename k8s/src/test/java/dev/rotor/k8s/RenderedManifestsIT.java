package dev.rotor.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.rotor.cli.CliEnvironment;
import dev.rotor.cli.RotorCli;
import dev.rotor.daemon.DaemonConfig;
import dev.rotor.daemon.RotatorRegistry;
import dev.rotor.daemon.SchedulerSettings;
import dev.rotor.aws.AwsStoreProvider;
import dev.rotor.azure.AzureStoreProvider;
import dev.rotor.local.LocalStoreProvider;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.vault.VaultStoreProvider;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.Service;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay under {@code k8s/overlays} (and the example app) with
 * {@code kubectl kustomize}, parses every object strictly with fabric8's model, and checks the
 * rules of {@link PodPolicy} plus what ties the manifests to Rotor: each {@code rotor.yaml}
 * passes {@code rotor policy validate}, the probes and the scrape port are the admin API's,
 * several replicas only with the clustered job store, database credentials only by Secret
 * reference.
 */
class RenderedManifestsIT {

    private static final Path K8S = Kustomize.projectRoot().resolve("k8s");
    private static final Map<String, List<HasMetadata>> RENDERED = new ConcurrentHashMap<>();
    private static final StrictManifests MANIFESTS = new StrictManifests();

    private static List<HasMetadata> rendered(String dir) {
        return RENDERED.computeIfAbsent(dir, d -> MANIFESTS.parse(Kustomize.render(K8S.resolve(d))));
    }

    @Test
    void everyOverlayIsTested() throws IOException {
        try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
            assertThat(overlays.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("single-node", "ha-postgres");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-node", "overlays/ha-postgres", "examples"})
    void everyObjectParsesStrictlyAndKeepsTheHardeningRules(String dir) {
        List<HasMetadata> objects = rendered(dir);

        assertThat(objects).isNotEmpty();
        assertThat(PodPolicy.workloads(objects)).isNotEmpty();
        assertThat(PodPolicy.violations(objects)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-node", "overlays/ha-postgres", "examples"})
    void everyContainerHasAWritableTmpAndEveryPodSaysWhetherItMountsAToken(String dir) {
        List<HasMetadata> objects = rendered(dir);
        for (PodPolicy.Workload w : PodPolicy.workloads(objects)) {
            List<Container> all = Stream.concat(w.spec().getInitContainers().stream(), w.spec().getContainers().stream()).toList();
            for (Container c : all) {
                // The JVM writes to /tmp, and the root file system is read-only.
                assertThat(c.getVolumeMounts()).as(w.name() + " " + c.getName())
                        .anySatisfy(m -> {
                            assertThat(m.getMountPath()).isEqualTo("/tmp");
                            Volume v = w.spec().getVolumes().stream().filter(vol -> vol.getName().equals(m.getName())).findFirst().orElseThrow();
                            assertThat(v.getEmptyDir()).isNotNull();
                        });
            }
            assertThat(w.spec().getAutomountServiceAccountToken()).as(w.name() + " says whether it mounts a token").isNotNull();
        }
        // The daemon calls the Kubernetes API (Secret sync, restarts); an application's pod does not.
        for (Deployment d : PodPolicy.ofType(objects, Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).as(d.getMetadata().getName())
                    .isEqualTo(d.getMetadata().getName().equals("rotor"));
        }
        for (ServiceAccount sa : PodPolicy.ofType(objects, ServiceAccount.class)) {
            assertThat(sa.getAutomountServiceAccountToken()).as(sa.getMetadata().getName()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-node", "overlays/ha-postgres", "examples"})
    void everyRotorContainerReadsItsConfigurationFromTheGeneratedConfigMap(String dir) {
        List<HasMetadata> objects = rendered(dir);
        int rotorContainers = 0;
        for (PodPolicy.Workload w : PodPolicy.workloads(objects)) {
            List<Container> all = Stream.concat(w.spec().getInitContainers().stream(), w.spec().getContainers().stream()).toList();
            for (Container c : all.stream().filter(c -> c.getImage().contains("/rotor/rotor:")).toList()) {
                rotorContainers++;
                String where = w.name() + " " + c.getName();
                int at = c.getArgs().indexOf("--config");
                assertThat(at).as(where + " names its configuration").isNotNegative();
                String path = c.getArgs().get(at + 1);
                var mount = c.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
                        .orElseThrow(() -> new AssertionError(where + ": nothing mounted at " + path));
                Volume volume = w.spec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
                ConfigMap cm = PodPolicy.one(objects, ConfigMap.class, volume.getConfigMap().getName());
                assertThat(cm.getData()).as(where).containsKey(path.substring(mount.getMountPath().length() + 1));
                assertThat(mount.getReadOnly()).as(where).isTrue();
            }
        }
        assertThat(rotorContainers).isPositive();
    }

    @Test
    void noKustomizationGeneratesASecretFromLiterals() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        List<Path> kustomizations;
        try (Stream<Path> files = Files.walk(K8S)) {
            kustomizations = files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .filter(p -> !p.startsWith(K8S.resolve("target"))).toList();
        }
        assertThat(kustomizations).hasSize(4);
        for (Path k : kustomizations) {
            JsonNode tree = yaml.readTree(k.toFile());
            assertThat(tree.has("secretGenerator")).as(k.toString()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-node", "overlays/ha-postgres"})
    void theDaemonsConfigurationPassesPolicyValidate(String dir, @TempDir Path tmp) throws IOException {
        Path file = writeConfig(rendered(dir), "rotor-config", tmp);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = cli(tmp, out, err).run("policy", "validate", "--config", file.toString());

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("ok: 1 policy, 1 rotator");
        assertStoresValid(file);
    }

    @Test
    void theExampleAppsConfigurationLoads(@TempDir Path tmp) throws IOException {
        Path file = writeConfig(rendered("examples"), "rotor-app-config", tmp);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = cli(tmp, out, err).run("policy", "validate", "--config", file.toString());

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("ok: 0 policies, 0 rotators");
        assertStoresValid(file);
    }

    @Test
    void singleNodeRunsOneDaemonOnTheInMemoryJobStoreNeverTwoAtOnce(@TempDir Path tmp) throws IOException {
        List<HasMetadata> objects = rendered("overlays/single-node");
        DaemonConfig config = DaemonConfig.load(writeConfig(objects, "rotor-config", tmp), RotatorRegistry.builtIn());
        Deployment d = PodPolicy.one(objects, Deployment.class, "rotor");

        assertThat(config.scheduler().store()).isEqualTo(SchedulerSettings.Store.RAM);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(PodPolicy.ofType(objects, PodDisruptionBudget.class)).isEmpty();
    }

    @Test
    void haPostgresRunsSeveralDaemonsOnTheClusteredJobStoreWithCredentialsFromASecret(@TempDir Path tmp) throws IOException {
        List<HasMetadata> objects = rendered("overlays/ha-postgres");
        DaemonConfig config = DaemonConfig.load(writeConfig(objects, "rotor-config", tmp), RotatorRegistry.builtIn());
        Deployment d = PodPolicy.one(objects, Deployment.class, "rotor");
        PodDisruptionBudget pdb = PodPolicy.one(objects, PodDisruptionBudget.class, "rotor");

        assertThat(config.scheduler().store()).isEqualTo(SchedulerSettings.Store.JDBC);
        assertThat(config.scheduler().clustered()).isTrue();
        assertThat(d.getSpec().getReplicas()).isGreaterThan(1);
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isBetween(1, d.getSpec().getReplicas() - 1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(d.getSpec().getSelector().getMatchLabels());

        Container daemon = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (String name : List.of(config.scheduler().jdbc().usernameEnv(), config.scheduler().jdbc().passwordEnv())) {
            EnvVar env = daemon.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
            assertThat(env.getValue()).as(name + " has no literal value").isNull();
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rotor-quartz-db");
        }
        // The rendered output holds no Secret for it: it is created out of band.
        assertThat(PodPolicy.ofType(objects, Secret.class)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-node", "overlays/ha-postgres"})
    void probesServiceScrapeAndNetworkPolicyUseTheAdminApiPort(String dir, @TempDir Path tmp) throws IOException {
        List<HasMetadata> objects = rendered(dir);
        DaemonConfig config = DaemonConfig.load(writeConfig(objects, "rotor-config", tmp), RotatorRegistry.builtIn());
        int port = config.api().port();
        Deployment d = PodPolicy.one(objects, Deployment.class, "rotor");
        Container daemon = d.getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(daemon.getArgs()).startsWith("daemon");
        assertThat(daemon.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(port));
        String portName = daemon.getPorts().get(0).getName();
        assertProbe(daemon.getLivenessProbe(), "/health", portName);
        assertProbe(daemon.getReadinessProbe(), "/ready", portName);
        assertProbe(daemon.getStartupProbe(), "/health", portName);

        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(port))
                .containsEntry("prometheus.io/path", "/metrics");
        assertThat(config.api().publicMetrics()).as("an annotation-based scrape sends no credential").isTrue();

        Service svc = PodPolicy.one(objects, Service.class, "rotor");
        assertThat(svc.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo(portName));

        NetworkPolicy np = PodPolicy.one(objects, NetworkPolicy.class, "rotor");
        assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(np.getSpec().getIngress()).allSatisfy(rule -> {
            assertThat(rule.getFrom()).as("ingress only from selected clients").isNotEmpty();
            assertThat(rule.getPorts()).extracting(NetworkPolicyPort::getPort).extracting(p -> p.getIntVal())
                    .containsExactly(port);
        });
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(np.getSpec().getPodSelector().getMatchLabels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-node", "overlays/ha-postgres"})
    void theCronJobRunsOnePassAtATime(String dir) {
        CronJob cron = PodPolicy.one(rendered(dir), CronJob.class, "rotor-rotate-due");

        assertThat(cron.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        assertThat(cron.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isNotNull();
        assertThat(cron.getSpec().getSuccessfulJobsHistoryLimit()).isNotNull();
        assertThat(cron.getSpec().getFailedJobsHistoryLimit()).isNotNull();
        assertThat(cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .startsWith("rotate", "--due");
    }

    private static void assertProbe(Probe probe, String path, String port) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(port);
    }

    /** Writes the rotor.yaml of the ConfigMap generated as {@code prefix-<hash>}. */
    private static Path writeConfig(List<HasMetadata> objects, String prefix, Path dir) throws IOException {
        ConfigMap cm = PodPolicy.ofType(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith(prefix + "-"))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + prefix));
        assertThat(cm.getData()).containsOnlyKeys("rotor.yaml");
        return Files.writeString(dir.resolve("rotor.yaml"), cm.getData().get("rotor.yaml"));
    }

    private static RotorCli cli(Path dir, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        // No variable is set: validation must need no credential.
        return new RotorCli(new CliEnvironment(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), name -> null, dir, Clock.systemUTC(),
                PROVIDERS));
    }

    /** The store providers the rotor command knows. */
    private static final ProviderRegistry PROVIDERS = ProviderRegistry.builder()
            .register(new LocalStoreProvider()).register(new AwsStoreProvider())
            .register(new VaultStoreProvider()).register(new AzureStoreProvider()).build();

    /** Each store's settings as its provider checks them before opening it, offline and with no variable set. */
    private static void assertStoresValid(Path file) {
        DaemonConfig config = DaemonConfig.load(file, RotatorRegistry.builtIn());
        StoreContext offline = new StoreContext(Clock.systemUTC(), name -> null, file.getParent());
        assertThat(config.rotor().stores()).isNotEmpty();
        for (StoreConfig store : config.rotor().stores().values()) {
            SecretStoreProvider provider = PROVIDERS.find(store.type()).orElseThrow();
            assertThat(provider.validate(store, offline)).as("stores." + store.name()).isEmpty();
        }
    }
}
