package dev.rotor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local HTTP receiver (the JDK's server on a free loopback port) that records each POST. For
 * webhooks it checks the signature the way docs/alerting.md tells receivers to, written out here
 * rather than calling {@link WebhookSignature}, so that the recipe itself is tested. It answers
 * with the status a test sets.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(String path, byte[] body, String timestamp, String signature, boolean signatureValid, JsonNode json) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final byte[] key;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);

    WebhookReceiver(byte[] key) throws IOException {
        this.key = key.clone();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                String ts = exchange.getRequestHeaders().getFirst("X-Rotor-Timestamp");
                String sig = exchange.getRequestHeaders().getFirst("X-Rotor-Signature");
                JsonNode json = JSON.readTree(body);
                received.add(new Received(exchange.getRequestURI().getPath(), body, ts, sig, checks(ts, body, sig), json));
                int s = status.get();
                exchange.sendResponseHeaders(s, -1);
            }
        });
        server.start();
    }

    private boolean checks(String timestamp, byte[] body, String signature) {
        if (timestamp == null || signature == null || !signature.startsWith("sha256=")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature.substring("sha256=".length())));
        } catch (Exception e) {
            return false;
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** The status later requests are answered with. */
    void answer(int httpStatus) {
        status.set(httpStatus);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
