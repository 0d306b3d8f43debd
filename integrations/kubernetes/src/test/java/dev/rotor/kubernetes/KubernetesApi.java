package dev.rotor.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * fabric8's Kubernetes API mock server in CRUD mode (objects are stored, resourceVersions
 * checked), with a switch that makes it refuse chosen verbs on Secrets with a 403 as RBAC
 * would.
 */
final class KubernetesApi implements AutoCloseable {

    private final RefusingDispatcher dispatcher = new RefusingDispatcher();
    private final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    private final KubernetesClient client;

    KubernetesApi() {
        server.init();
        client = newClient();
    }

    /** A client of this server; closing it is the caller's. */
    KubernetesClient newClient() {
        return server.createClient(KubernetesClients::configure);
    }

    /** A client this object closes. */
    KubernetesClient client() {
        return client;
    }

    /** Refuse these HTTP methods (GET, POST, PUT, PATCH, DELETE) on Secrets; none to stop refusing. */
    void refuseSecrets(String... methods) {
        dispatcher.refused = Set.of(methods);
    }

    /** Answer the next {@code n} PUTs of Secrets with 409 Conflict, as when another writer got there first. */
    void conflictNextPuts(int n) {
        dispatcher.conflicts.set(n);
    }

    /** The method and path of every request the server answered. */
    List<String> requestLog() {
        return List.copyOf(dispatcher.log);
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    private static final class RefusingDispatcher extends KubernetesCrudDispatcher {
        private volatile Set<String> refused = Set.of();
        private final java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
        private final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String method = request.getMethod().toUpperCase(Locale.ROOT);
            String path = request.getPath();
            log.add(method + " " + path);
            if (path.contains("/secrets") && refused.contains(method)) {
                String name = path.substring(path.lastIndexOf('/') + 1);
                return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(
                        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,"
                                + "\"message\":\"secrets \\\"" + name + "\\\" is forbidden: User \\\"system:serviceaccount:rotor:rotor\\\" cannot "
                                + method.toLowerCase(Locale.ROOT) + " resource \\\"secrets\\\"\"}");
            }
            if (path.contains("/secrets/") && method.equals("PUT") && conflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/json").setBody(
                        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409}");
            }
            return super.dispatch(request);
        }
    }
}
