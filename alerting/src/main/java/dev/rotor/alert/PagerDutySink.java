package dev.rotor.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.alert.internal.AlertJson;
import dev.rotor.alert.internal.HttpPoster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Sends alerts to PagerDuty's Events API v2: a {@code trigger} event for an alert, a
 * {@code resolve} event for its resolved notice, both with the alert's key as
 * {@code dedup_key} so that PagerDuty folds repeats into one incident and closes it. The
 * routing key is an integration credential: it comes from the environment and is never shown.
 */
public final class PagerDutySink implements AlertSink {

    /** PagerDuty's endpoint; tests and proxies give their own. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://events.pagerduty.com/v2/enqueue");
    private static final int MAX_DEDUP_KEY = 255;
    private static final int MAX_SUMMARY = 1024;

    private final URI endpoint;
    private final String routingKey;
    private final String source;
    private final HttpPoster http;

    /**
     * @param source the {@code payload.source} of triggers: the host or service that has the problem
     */
    public PagerDutySink(URI endpoint, String routingKey, String source, Duration timeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
        this.source = Objects.requireNonNull(source, "source");
        if (routingKey.isBlank()) {
            throw new IllegalArgumentException("the PagerDuty routing key is empty");
        }
        this.http = new HttpPoster(timeout);
    }

    /** The event sent for {@code alert}, with {@code routingKey} in it. */
    public static ObjectNode payload(Alert alert, String routingKey, String source) {
        ObjectNode root = AlertJson.MAPPER.createObjectNode();
        root.put("routing_key", routingKey);
        root.put("dedup_key", dedupKey(alert.key()));
        if (alert.resolved()) {
            root.put("event_action", "resolve");
            return root;
        }
        root.put("event_action", "trigger");
        ObjectNode p = root.putObject("payload");
        String summary = alert.summary();
        p.put("summary", summary.length() > MAX_SUMMARY ? summary.substring(0, MAX_SUMMARY) : summary);
        p.put("source", source);
        p.put("severity", switch (alert.severity()) {
            case INFO -> "info";
            case WARNING -> "warning";
            case CRITICAL -> "critical";
        });
        p.put("timestamp", alert.time().toString());
        p.put("component", alert.ref());
        p.put("group", "rotor");
        p.put("class", alert.kind());
        ObjectNode d = p.putObject("custom_details");
        alert.details().forEach(d::put);
        return root;
    }

    /** The alert key, or a digest of it where PagerDuty's 255-character limit would cut it. */
    static String dedupKey(String key) {
        if (key.length() <= MAX_DEDUP_KEY) {
            return key;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "rotor-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public void send(Alert alert) {
        http.post(describe(), endpoint, AlertJson.bytes(payload(alert, routingKey, source)), Map.of());
    }

    @Override
    public String describe() {
        return "pagerduty:" + HttpPoster.describe(endpoint);
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
