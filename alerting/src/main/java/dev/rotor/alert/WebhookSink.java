package dev.rotor.alert;

import dev.rotor.alert.internal.AlertJson;
import dev.rotor.alert.internal.HttpPoster;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Posts each alert as a JSON object to a URL, signed as {@link WebhookSignature} describes.
 * The body: {@code source, key, kind, severity, resolved, ref, summary, time, details}.
 * The key is held in memory only and appears in no log line or description.
 */
public final class WebhookSink implements AlertSink {

    private final URI url;
    private final byte[] key;
    private final Clock clock;
    private final HttpPoster http;
    private final String description;

    /**
     * @param key the HMAC key shared with the receiver (copied); at least 16 bytes
     */
    public WebhookSink(URI url, byte[] key, Clock clock, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        Objects.requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("the webhook key must be at least 16 bytes");
        }
        this.key = key.clone();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = new HttpPoster(timeout);
        this.description = "webhook:" + HttpPoster.describe(url);
    }

    @Override
    public void send(Alert alert) {
        byte[] body = AlertJson.bytes(AlertJson.of(alert));
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        http.post(description, url, body, Map.of(
                WebhookSignature.TIMESTAMP_HEADER, timestamp,
                WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(key, timestamp, body)));
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
