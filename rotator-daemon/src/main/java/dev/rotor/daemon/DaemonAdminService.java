package dev.rotor.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.RotorException;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.alert.Alerting;
import dev.rotor.api.AdminService;
import dev.rotor.api.HealthReport;
import dev.rotor.api.RunSummary;
import dev.rotor.api.SecretSummary;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.spi.RotatorConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's answers to the admin API: health and readiness, the managed secrets' metadata
 * (from the policies and the stores' version metadata, never a value), the recent runs (a
 * {@link RunLog}), rotation through the same {@link RotationService} path as {@code rotor rotate},
 * and the JWK sets the managed signing-key rotators publish.
 *
 * <p>Thread-safe: every call reads the service, the stores and the run log, which are.
 */
public final class DaemonAdminService implements AdminService {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonAdminService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGNING_KEYS = "signing-keys";

    private final DaemonRuntime runtime;
    private final RunLog runs;
    private final BooleanSupplier schedulerRunning;

    /**
     * @param runs the run log, already listening to {@code runtime.service()}
     * @param schedulerRunning whether the scheduler runs (e.g. {@link RotorDaemon#ready()})
     */
    public DaemonAdminService(DaemonRuntime runtime, RunLog runs, BooleanSupplier schedulerRunning) {
        this.runtime = java.util.Objects.requireNonNull(runtime, "runtime");
        this.runs = java.util.Objects.requireNonNull(runs, "runs");
        this.schedulerRunning = java.util.Objects.requireNonNull(schedulerRunning, "schedulerRunning");
    }

    /** Cheap: what this process knows, no remote call. Down while the audit sink is failing (audited calls are refused). */
    @Override
    public HealthReport health() {
        Map<String, String> checks = new LinkedHashMap<>();
        for (String store : runtime.rotor().storeNames()) {
            checks.put("store:" + store, "open");
        }
        checks.put("scheduler", schedulerRunning.getAsBoolean() ? "running" : "stopped");
        boolean auditFailing = runtime.alerting().map(DaemonAdminService::auditFailing).orElse(false);
        checks.put("audit", runtime.auditSink().isEmpty() ? "none" : auditFailing ? "failing" : "ok");
        return new HealthReport(!auditFailing, checks);
    }

    private static boolean auditFailing(Alerting a) {
        return a.activeConditions().stream().anyMatch(k -> k.startsWith("audit-sink-failed|"));
    }

    @Override
    public HealthReport readiness() {
        Map<String, String> checks = new LinkedHashMap<>();
        boolean running = schedulerRunning.getAsBoolean();
        checks.put("scheduler", running ? "started" : "not started");
        checks.put("stores", runtime.rotor().storeNames().size() + " opened");
        return new HealthReport(running, checks);
    }

    @Override
    public List<SecretSummary> secrets() {
        List<SecretSummary> out = new ArrayList<>();
        for (RotationService.Status s : runtime.service().status()) {
            String versionId = currentVersionId(runtime.rotor().store(s.ref().store()), s.ref().path());
            out.add(new SecretSummary(s.ref(), s.rotator(), versionId, s.plan().lastSuccess(), s.plan().due(), s.state()));
        }
        return out;
    }

    private static @Nullable String currentVersionId(SecretStore store, String path) {
        try {
            for (VersionInfo v : store.versions(path)) {
                if (v.has(Stage.CURRENT)) {
                    return v.id();
                }
            }
        } catch (SecretNotFoundException e) {
            return null;
        }
        return null;
    }

    @Override
    public List<RunSummary> runs(int limit) {
        return runs.recent(limit);
    }

    /** The same path as {@code rotor rotate}: the policy covering {@code ref}, its rotator, its store's engine. */
    @Override
    public RotationResult rotate(SecretRef ref, RotationRequest request) {
        RotationService service = runtime.service();
        RotationService.Target target;
        try {
            target = service.target(ref);
        } catch (InvalidConfigurationException e) {
            throw new SecretNotFoundException("no policy manages " + SecretRef.of(ref.store(), ref.path()).format());
        }
        return service.rotate(target, request);
    }

    /**
     * The keys of every JWK set that a policy's signing-key rotator publishes (CURRENT of its
     * {@code jwksStore}/{@code jwksPath}), merged into one set; empty if no policy uses one or
     * none has been published yet.
     */
    @Override
    public Optional<String> jwks() {
        Set<SecretRef> published = new LinkedHashSet<>();
        for (Policy p : runtime.config().policies()) {
            RotatorConfig rc = runtime.config().rotor().rotator(p.rotator());
            if (rc != null && SIGNING_KEYS.equals(rc.type()) && rc.settings().get("jwksStore") instanceof String store
                    && rc.settings().get("jwksPath") instanceof String path && runtime.rotor().storeNames().contains(store)) {
                published.add(SecretRef.of(store, path));
            }
        }
        ArrayNode keys = JSON.createArrayNode();
        Set<String> kids = new LinkedHashSet<>();
        for (SecretRef ref : published) {
            JsonNode set;
            try {
                set = JSON.readTree(runtime.rotor().store(ref.store()).get(ref.path()).value().asUtf8());
            } catch (SecretNotFoundException e) {
                continue;
            } catch (IOException | RotorException e) {
                LOG.warn("the JWK set at {} could not be read: {}", ref.format(), e.getClass().getName());
                continue;
            }
            for (JsonNode key : set.path("keys")) {
                // Public members only, whatever was stored: a JWK set is served to anyone.
                if (key.has("d") || key.has("p") || key.has("q") || key.has("k")) {
                    LOG.warn("the JWK set at {} holds a key with private members; it is not served", ref.format());
                    continue;
                }
                if (kids.add(key.path("kid").asText(""))) {
                    keys.add(key);
                }
            }
        }
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("keys", keys);
        return Optional.of(out.toString());
    }
}
