package dev.rotor.testkit.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP proxy in front of an AWS-style JSON API (moto) that counts, per operation (the
 * {@code X-Amz-Target} header) and per secret, the requests it forwards: {@code SecretId} of a
 * single-secret call, each entry of {@code SecretIdList} of a batch call. For tests that must show
 * how many backend loads a client made of each secret.
 *
 * <p>Only the ids are kept from a request body; responses pass through unread. A request whose
 * pooled upstream connection broke is sent once more (and counted once). Thread-safe.
 */
public final class CountingProxy implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final URI upstream;
    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** operation -> secret id -> requests. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> counts = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** HTTP status -> responses; 502 also for upstream connection failures. */
    private final ConcurrentHashMap<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

    private CountingProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(executor);
        server.createContext("/", this::forward);
        server.start();
    }

    /** Starts a proxy on a free loopback port forwarding to {@code upstream}. */
    public static CountingProxy start(URI upstream) throws IOException {
        return new CountingProxy(upstream);
    }

    /** Where clients send their requests. */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    /** Requests of {@code operation} (e.g. {@code secretsmanager.GetSecretValue}) per secret id, sorted by id. */
    public Map<String, Long> counts(String operation) {
        Map<String, Long> out = new TreeMap<>();
        ConcurrentHashMap<String, LongAdder> byId = counts.get(operation);
        if (byId != null) {
            byId.forEach((id, n) -> out.put(id, n.sum()));
        }
        return out;
    }

    /** Requests of {@code operation} for {@code secretId}. */
    public long count(String operation, String secretId) {
        ConcurrentHashMap<String, LongAdder> byId = counts.get(operation);
        LongAdder n = byId == null ? null : byId.get(secretId);
        return n == null ? 0 : n.sum();
    }

    /** Requests forwarded and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Responses per HTTP status, sorted by status; a failed upstream connection counts as 502. */
    public Map<Integer, Long> statuses() {
        Map<Integer, Long> out = new TreeMap<>();
        statuses.forEach((status, n) -> out.put(status, n.sum()));
        return out;
    }

    public void clear() {
        counts.clear();
        statuses.clear();
    }

    private void status(int code) {
        statuses.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    private void forward(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String operation = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (operation != null) {
                count(operation, body);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = send(request.build());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status(502);
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException e) {
                status(502);
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            status(response.statusCode());
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Sends once more when the upstream dropped a pooled connection: counts are of the requests
     * clients made, and the proxy's own connection reuse must not fail them.
     */
    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private void count(String operation, byte[] body) {
        ConcurrentHashMap<String, LongAdder> byId = counts.computeIfAbsent(operation, k -> new ConcurrentHashMap<>());
        try {
            JsonNode json = body.length == 0 ? null : JSON.readTree(body);
            if (json == null) {
                byId.computeIfAbsent("", k -> new LongAdder()).increment();
                return;
            }
            JsonNode one = json.get("SecretId");
            if (one != null && one.isTextual()) {
                byId.computeIfAbsent(one.textValue(), k -> new LongAdder()).increment();
            }
            JsonNode list = json.get("SecretIdList");
            if (list != null && list.isArray()) {
                list.forEach(id -> byId.computeIfAbsent(id.asText(), k -> new LongAdder()).increment());
            }
        } catch (IOException e) {
            byId.computeIfAbsent("", k -> new LongAdder()).increment();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        client.shutdownNow();
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "CountingProxy[" + uri() + " -> " + upstream + "]";
    }
}
