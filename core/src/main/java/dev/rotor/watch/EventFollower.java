package dev.rotor.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the daemon's Server-Sent Events stream ({@code GET /v1/events}) on one virtual thread
 * and hands the ref of each {@code rotated} event to a callback. Reconnects after any failure
 * with a jittered, doubling wait (1 s up to 1 minute, back to 1 s once a stream opened).
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread.
 */
final class EventFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventFollower.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    static final Duration BACKOFF_MAX = Duration.ofMinutes(1);

    private final URI url;
    private final Supplier<String> token;
    private final Consumer<SecretRef> onEvent;
    private final Runnable onReconnect;
    private final HttpClient http;
    private final Thread thread;
    private volatile boolean closed;
    private volatile @Nullable InputStream body;

    EventFollower(URI url, Supplier<String> token, Consumer<SecretRef> onEvent, Runnable onReconnect) {
        this.url = url;
        this.token = token;
        this.onEvent = onEvent;
        this.onReconnect = onReconnect;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.thread = Thread.ofVirtual().name("rotor-watch-events").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long backoff = BACKOFF_INITIAL.toMillis();
        boolean connectedBefore = false;
        while (!closed) {
            try {
                boolean opened = follow(connectedBefore);
                if (opened) {
                    connectedBefore = true;
                    backoff = BACKOFF_INITIAL.toMillis();
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug("event stream {} broke: {}", url, e.getClass().getSimpleName());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("event stream {} failed: {}", url, e.getClass().getName());
            }
            if (closed) {
                return;
            }
            long wait = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
            backoff = Math.min(BACKOFF_MAX.toMillis(), backoff * 2);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection; true if the stream opened. Returns when it ends. */
    private boolean follow(boolean reconnect) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token.get())
                .GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                LOG.warn("event stream {} answered {}; polling goes on, retrying the stream later", url, response.statusCode());
                return false;
            }
            body = in;
            if (closed) {
                return true;
            }
            LOG.info("following rotation events from {}", url);
            if (reconnect) {
                onReconnect.run();
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String event = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if ("rotated".equals(event) && !data.isEmpty()) {
                        dispatch(data.toString());
                    }
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    // heartbeat comment
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).strip());
                }
            }
            LOG.debug("event stream {} ended", url);
            return true;
        } finally {
            body = null;
        }
    }

    private void dispatch(String data) {
        SecretRef ref;
        try {
            JsonNode node = JSON.readTree(data);
            ref = SecretRef.parse(node.path("ref").asText(""));
        } catch (IOException | InvalidSecretRefException e) {
            LOG.debug("event stream {}: an event without a valid ref was skipped", url);
            return;
        }
        onEvent.accept(ref);
    }

    @Override
    public void close() {
        closed = true;
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        thread.interrupt();
        http.shutdownNow();
    }
}
