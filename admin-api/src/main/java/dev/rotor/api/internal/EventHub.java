package dev.rotor.api.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans the daemon's rotation events out to the clients of {@code GET /v1/events} as
 * Server-Sent Events: {@code event: rotated} with {@code data: {"ref":...,"version":...}} for
 * each promoted ({@link RotationEvent.Succeeded}) or retired ({@link RotationEvent.Retired})
 * rotation. Ids only, never a value.
 *
 * <p>Each client has a bounded buffer. {@link #onEvent} only offers to it: a client whose
 * buffer is full is dropped (its stream ends; it reconnects and catches up by polling), so a
 * slow client never holds up a rotation.
 *
 * <p>Thread-safe.
 */
public final class EventHub implements RotationListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int DEFAULT_BUFFER = 256;
    static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);
    /** Put in a client's queue to end its stream. */
    private static final byte[] END = new byte[0];

    private final int bufferSize;
    private final Duration heartbeat;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;

    public EventHub(int bufferSize, Duration heartbeat) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1");
        }
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat must be positive");
        }
        this.bufferSize = bufferSize;
        this.heartbeat = heartbeat;
    }

    /** One connected client: the stream writer takes from it, the hub offers to it. */
    public final class Client implements AutoCloseable {
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(bufferSize + 1);
        private volatile boolean dropped;

        /**
         * The next chunk to write: an event, or a heartbeat comment after the heartbeat interval
         * with no event; {@code null} when the stream must end (dropped, or the hub closed).
         */
        public byte @Nullable [] next() throws InterruptedException {
            byte[] chunk = queue.poll(heartbeat.toNanos(), TimeUnit.NANOSECONDS);
            if (chunk == null) {
                return closed || dropped ? null : HEARTBEAT;
            }
            return chunk == END ? null : chunk;
        }

        public boolean dropped() {
            return dropped;
        }

        void offer(byte[] event) {
            if (!dropped && !queue.offer(event)) {
                dropped = true;
                queue.clear();
                queue.offer(END);
                clients.remove(this);
                LOG.warn("an events client fell {} events behind and was dropped", bufferSize);
            }
        }

        @Override
        public void close() {
            clients.remove(this);
        }
    }

    /** Registers a client; the caller writes what {@link Client#next()} gives until it gives null. */
    public Client connect() {
        Client c = new Client();
        clients.add(c);
        if (closed) {
            c.queue.offer(END);
        }
        return c;
    }

    /** The first chunk of every stream: how long to wait before reconnecting. */
    public static byte[] preamble() {
        return "retry: 5000\n\n".getBytes(StandardCharsets.US_ASCII);
    }

    public int clientCount() {
        return clients.size();
    }

    @Override
    public void onEvent(RotationEvent event) {
        String version = switch (event) {
            case RotationEvent.Succeeded s -> s.currentVersionId();
            case RotationEvent.Retired r -> r.currentVersionId();
            default -> null;
        };
        if (version == null || closed) {
            return;
        }
        publish(event.ref().format(), version);
    }

    void publish(String ref, String version) {
        ObjectNode data = JSON.createObjectNode().put("ref", ref).put("version", version);
        byte[] chunk;
        try {
            chunk = ("id: " + ids.incrementAndGet() + "\nevent: rotated\ndata: " + JSON.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event JSON could not be written", e);
        }
        for (Client c : clients) {
            c.offer(chunk);
        }
    }

    /** Ends every stream. */
    @Override
    public void close() {
        closed = true;
        for (Client c : clients) {
            c.queue.clear();
            c.queue.offer(END);
        }
        clients.clear();
    }
}
