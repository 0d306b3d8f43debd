package dev.rotor.testkit.peer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 proxy on a loopback port that sits in front of a peer and injects faults:
 * canned error answers (an AWS 429 {@code ThrottlingException}, a 500), connection resets and
 * slow answers, each with a probability drawn from a seeded random source, so that a
 * single-threaded test sees the same sequence on every run.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(moto.uri(), 42)) {
 *     // point the client at proxy.uri()
 *     proxy.fault(Fault.awsThrottling(0.5));
 *     ...
 *     assertThat(proxy.count(FaultProxy.Outcome.RESPONDED)).isPositive();
 * }
 * }</pre>
 *
 * <p>Every connection carries one request: the proxy answers with {@code Connection: close}
 * and closes, so a client never reuses a connection the proxy is about to reset. Each request
 * is recorded as an {@link Exchange}: a label (the {@code X-Amz-Target} header if present,
 * else the method and path) and what the proxy did with it. Bodies are never recorded or
 * logged: they may hold secrets.
 *
 * <p>Thread-safe: each connection is served on its own virtual thread; the fault may be
 * changed at any time and applies to requests read after the change.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** What the proxy did with one request. */
    public enum Outcome {
        /** passed to the upstream server and its answer passed back */
        FORWARDED,
        /** passed on, and the answer held back by a {@link Fault.Slow} delay */
        DELAYED,
        /** answered by the proxy itself ({@link Fault.Respond}); the upstream never saw it */
        RESPONDED,
        /** the connection was reset after reading the request; the upstream never saw it */
        RESET,
        /** the upstream server could not be reached or broke off; the client got a 502 */
        UPSTREAM_FAILED
    }

    /** One request as the proxy saw it. */
    public record Exchange(String label, Outcome outcome) {
        public Exchange {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** A request line and headers (names in lower case); never the body. */
    public record RequestHead(String method, String target, Map<String, String> headers) {
        public @Nullable String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final InetSocketAddress upstream;
    private final Random random;
    private final Function<RequestHead, String> labeler;
    private final ServerSocket server;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Exchange> exchanges = new ArrayList<>();
    private final Thread acceptor;
    private volatile Fault fault = Fault.pass();
    private volatile boolean closed;

    private FaultProxy(URI upstreamUri, long seed, Function<RequestHead, String> labeler) throws IOException {
        if (!"http".equals(upstreamUri.getScheme()) || upstreamUri.getHost() == null || upstreamUri.getPort() < 0) {
            throw new IllegalArgumentException("upstream must be http://host:port (was " + upstreamUri + ")");
        }
        this.upstream = new InetSocketAddress(upstreamUri.getHost(), upstreamUri.getPort());
        this.random = new Random(seed);
        this.labeler = labeler;
        this.server = new ServerSocket(0, 50, InetAddress.getByName(PeerProcess.HOST));
        this.acceptor = Thread.ofPlatform().daemon().name("fault-proxy-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** A proxy to {@code upstream} ({@code http://host:port}) with random seed 0. */
    public static FaultProxy start(URI upstream) throws IOException {
        return start(upstream, 0L);
    }

    /** A proxy to {@code upstream} whose fault draws follow {@code seed}. */
    public static FaultProxy start(URI upstream, long seed) throws IOException {
        return new FaultProxy(upstream, seed, FaultProxy::defaultLabel);
    }

    /** A proxy that labels exchanges with {@code labeler}. */
    public static FaultProxy start(URI upstream, long seed, Function<RequestHead, String> labeler) throws IOException {
        return new FaultProxy(upstream, seed, Objects.requireNonNull(labeler, "labeler"));
    }

    private static String defaultLabel(RequestHead head) {
        String target = head.header("x-amz-target");
        if (target != null) {
            return target;
        }
        int q = head.target().indexOf('?');
        return head.method() + " " + (q < 0 ? head.target() : head.target().substring(0, q));
    }

    /** {@code http://127.0.0.1:<port>}: where clients should connect. */
    public URI uri() {
        return URI.create("http://" + PeerProcess.HOST + ":" + server.getLocalPort());
    }

    /** Sets what happens to the requests read from now on. */
    public void fault(Fault newFault) {
        this.fault = Objects.requireNonNull(newFault, "fault");
        LOG.info("fault proxy {}: fault is now {}", server.getLocalPort(), newFault);
    }

    public Fault fault() {
        return fault;
    }

    /** Every exchange so far, in the order the proxy decided on them. */
    public List<Exchange> exchanges() {
        synchronized (exchanges) {
            return List.copyOf(exchanges);
        }
    }

    public long count(Predicate<Exchange> which) {
        synchronized (exchanges) {
            return exchanges.stream().filter(which).count();
        }
    }

    public long count(Outcome outcome) {
        return count(e -> e.outcome() == outcome);
    }

    public long count(String label) {
        return count(e -> e.label().equals(label));
    }

    public long count(String label, Outcome outcome) {
        return count(e -> e.label().equals(label) && e.outcome() == outcome);
    }

    /** All requests seen so far. */
    public long total() {
        synchronized (exchanges) {
            return exchanges.size();
        }
    }

    /** Forgets the exchanges recorded so far. */
    public void clear() {
        synchronized (exchanges) {
            exchanges.clear();
        }
    }

    private void record(String label, Outcome outcome) {
        synchronized (exchanges) {
            exchanges.add(new Exchange(label, outcome));
        }
    }

    private boolean applies(Fault f) {
        if (f instanceof Fault.Pass) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < f.probability();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("fault proxy {}: accept failed: {}", server.getLocalPort(), e.toString());
                }
            } catch (RuntimeException e) {
                // the executor was shut down while accepting: closing
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout((int) READ_TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(client.getInputStream());
            byte[] headBytes = readHead(in);
            if (headBytes == null) {
                return; // connected and closed without a request
            }
            RequestHead head = parseRequestHead(headBytes);
            byte[] body = readBody(in, head);
            Fault f = fault;
            boolean hit = applies(f);
            String label = labeler.apply(head);
            if (!hit) {
                forward(client, head, body, Duration.ZERO, label, Outcome.FORWARDED);
                return;
            }
            switch (f) {
                case Fault.Pass p -> forward(client, head, body, Duration.ZERO, label, Outcome.FORWARDED);
                case Fault.Slow s -> forward(client, head, body, s.delay(), label, Outcome.DELAYED);
                case Fault.Respond r -> {
                    record(label, Outcome.RESPONDED);
                    writeResponse(client.getOutputStream(), r.status(), r.headers(), r.body().getBytes(StandardCharsets.UTF_8));
                }
                case Fault.Reset r -> {
                    record(label, Outcome.RESET);
                    client.setSoLinger(true, 0); // close() now sends RST instead of FIN
                }
            }
        } catch (IOException e) {
            // the client went away or sent something that is not HTTP: nothing to answer
            LOG.debug("fault proxy {}: connection ended: {}", server.getLocalPort(), e.toString());
        }
    }

    private void forward(Socket client, RequestHead head, byte[] body, Duration delay, String label, Outcome outcome)
            throws IOException {
        byte[] answer;
        try (Socket up = new Socket()) {
            up.connect(upstream, (int) CONNECT_TIMEOUT.toMillis());
            up.setSoTimeout((int) READ_TIMEOUT.toMillis());
            OutputStream uo = up.getOutputStream();
            uo.write(requestHead(head, body.length));
            uo.write(body);
            uo.flush();
            InputStream ui = new BufferedInputStream(up.getInputStream());
            byte[] responseHead = readHead(ui);
            if (responseHead == null) {
                throw new EOFException("upstream closed without an answer");
            }
            byte[] rest = ui.readAllBytes(); // the upstream closes after one answer: we asked it to
            ByteArrayOutputStream out = new ByteArrayOutputStream(responseHead.length + rest.length + 32);
            out.write(closingResponseHead(responseHead));
            out.write(rest);
            answer = out.toByteArray();
        } catch (IOException e) {
            record(label, Outcome.UPSTREAM_FAILED);
            LOG.info("fault proxy {}: upstream {} failed: {}", server.getLocalPort(), upstream, e.toString());
            writeResponse(client.getOutputStream(), 502, Map.of("Content-Type", "text/plain"),
                    ("fault proxy: upstream failed: " + e.getClass().getSimpleName()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        record(label, outcome);
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            OutputStream co = client.getOutputStream();
            co.write(answer);
            co.flush();
        } catch (SocketException e) {
            // the client gave up waiting (a slow answer past its timeout): expected
            LOG.debug("fault proxy {}: client left before the answer: {}", server.getLocalPort(), e.toString());
        }
    }

    // ---- HTTP/1.1 framing ---------------------------------------------------------------

    /** The bytes up to and including the blank line, or null on EOF before any byte. */
    private static byte @Nullable [] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        int matched = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside the message head");
            }
            head.write(b);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new IOException("message head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            matched = switch (matched) {
                case 0, 2 -> b == '\r' ? matched + 1 : 0;
                case 1, 3 -> b == '\n' ? matched + 1 : (b == '\r' ? 1 : 0);
                default -> 0;
            };
            if (matched == 4) {
                return head.toByteArray();
            }
        }
    }

    private static RequestHead parseRequestHead(byte[] bytes) throws IOException {
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/")) {
            throw new IOException("not an HTTP request line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new RequestHead(requestLine[0], requestLine[1], headers);
    }

    private static byte[] readBody(InputStream in, RequestHead head) throws IOException {
        String te = head.header("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers: dropped
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        String length = head.header("content-length");
        if (length == null) {
            return new byte[0];
        }
        int n = Integer.parseInt(length.trim());
        byte[] body = in.readNBytes(n);
        if (body.length != n) {
            throw new EOFException("request body shorter than its Content-Length");
        }
        return body;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        throw new EOFException("connection closed inside a chunked body");
    }

    private static byte[] requestHead(RequestHead head, int bodyLength) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(head.method()).append(' ').append(head.target()).append(" HTTP/1.1\r\n");
        head.headers().forEach((name, value) -> {
            if (!isHopByHop(name) && !name.equals("content-length")) {
                sb.append(name).append(": ").append(value).append("\r\n");
            }
        });
        if (bodyLength > 0 || head.header("content-length") != null || head.header("transfer-encoding") != null) {
            sb.append("content-length: ").append(bodyLength).append("\r\n");
        }
        sb.append("connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] closingResponseHead(byte[] head) {
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        StringBuilder sb = new StringBuilder(head.length + 32).append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon > 0 ? lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
            if (!lines[i].isEmpty() && !name.equals("connection") && !name.equals("keep-alive")) {
                sb.append(lines[i]).append("\r\n");
            }
        }
        sb.append("Connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean isHopByHop(String name) {
        return switch (name) {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade" -> true;
            default -> false;
        };
    }

    private static void writeResponse(OutputStream out, int status, Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /** Stops accepting and ends every open connection. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("fault proxy: closing the server socket failed: {}", e.toString());
        }
        workers.shutdownNow();
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + uri() + " -> " + upstream.getHostString() + ":" + upstream.getPort() + ", " + fault + "]";
    }
}
