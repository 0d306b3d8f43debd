package dev.rotor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.alert.WebhookSignature;
import dev.rotor.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook alert receiver on loopback ({@code POST /hook}) that checks every body's HMAC
 * signature with the key a daemon is given, as a real receiver must. Thread-safe.
 */
public final class HookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] key;
    private final Clock clock;
    private final HttpServer server;
    /** Alert bodies whose HMAC checked out. */
    private final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    /** Bodies with a missing or wrong signature. */
    private final List<String> badSignatures = new CopyOnWriteArrayList<>();

    /** A receiver checking signature times against the system clock. */
    public HookReceiver(String key) throws IOException {
        this(key, Clock.systemUTC());
    }

    /** A receiver checking signature times against {@code clock} (the daemon's, in tests that move time). */
    public HookReceiver(String key, Clock clock) throws IOException {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String ts = exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String sig = exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            if (ts != null && sig != null && WebhookSignature.verify(this.key, ts, body, sig, this.clock.instant(), Duration.ofMinutes(5))) {
                alerts.add(JSON.readTree(body));
            } else {
                badSignatures.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL to configure as the webhook's {@code url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The alerts received so far, signature checked. */
    public List<JsonNode> alerts() {
        return List.copyOf(alerts);
    }

    public List<String> badSignatures() {
        return List.copyOf(badSignatures);
    }

    /** Waits up to 30 s until at least {@code n} signed alerts have arrived; all received so far. */
    public List<JsonNode> awaitAlerts(int n) throws InterruptedException {
        Await.that(n + " alerts").detail(() -> "bad signatures: " + badSignatures).until(Duration.ofSeconds(30), () -> alerts.size() >= n);
        return List.copyOf(alerts);
    }

    /** Forgets the alerts received so far. */
    public void clear() {
        alerts.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
