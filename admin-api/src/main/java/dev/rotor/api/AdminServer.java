package dev.rotor.api;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.RotorException;
import dev.rotor.audit.AuditSink;
import dev.rotor.rotation.RotationListener;
import dev.rotor.api.internal.ApiHandler;
import dev.rotor.api.internal.ApiRequest;
import dev.rotor.api.internal.ApiResponse;
import dev.rotor.api.internal.Authenticator;
import dev.rotor.api.internal.EventHub;
import dev.rotor.api.internal.JwtVerifier;
import dev.rotor.api.internal.RateLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API on an embedded Jetty server, each request on a virtual thread.
 *
 * <pre>{@code
 * AdminServer api = AdminServer.builder()
 *         .config(apiConfig)              // ApiConfig.bind(...) of the api: section
 *         .service(daemonAdminService)    // the daemon's AdminService
 *         .metrics(metricRegistry)
 *         .audit(auditSink)
 *         .authFailureListener(alerts::onAuthFailure)
 *         .build();
 * api.start();                            // binds the port; throws if it cannot
 * URI uri = api.uri();
 * ...
 * daemon.addListener(api.rotationListener()); // GET /v1/events streams the rotations
 * api.close();                            // stops accepting, lets running requests finish (5 s)
 * }</pre>
 *
 * <p>Thread-safe. {@link #start()} and {@link #close()} may each be called once.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final ApiConfig config;
    private final ApiHandler handler;
    private final Function<String, @Nullable String> env;
    private final Server server;
    private final EventHub events;
    private @Nullable ServerConnector connector;

    private AdminServer(Builder b) {
        this.config = b.config;
        this.env = b.env;
        this.events = new EventHub(b.eventsBuffer, b.eventsHeartbeat);
        JwtVerifier jwt = config.oidc() == null ? null : new JwtVerifier(config.oidc(), b.clock);
        this.handler = new ApiHandler(b.service, new Authenticator(jwt, config.apiKeys()), new RateLimiter(config.rateLimit(), b.clock),
                b.metrics, b.audit, b.authFailures, b.clock, config.publicMetrics(), config.tls() != null);
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("rotor-api");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(pool);
        server.setStopTimeout(5000);
        server.setErrorHandler(new JsonErrorHandler());
        server.setHandler(new JettyAdapter());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the configured address and starts serving.
     *
     * @throws RotorException if the port cannot be bound or the TLS key store cannot be read
     */
    public synchronized void start() {
        if (connector != null) {
            throw new IllegalStateException("already started");
        }
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        ServerConnector c;
        ApiConfig.Tls tls = config.tls();
        if (tls == null) {
            c = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            String password = env.apply(tls.passwordEnv());
            if (password == null || password.isEmpty()) {
                throw new RotorException("api.tls.passwordEnv: environment variable " + tls.passwordEnv() + " is not set");
            }
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore().toString());
            ssl.setKeyStoreType(tls.keyStoreType());
            ssl.setKeyStorePassword(password);
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            SecureRequestCustomizer src = new SecureRequestCustomizer();
            // Clients reach the API by address as often as by name; the certificate is still checked by them.
            src.setSniHostCheck(false);
            http.addCustomizer(src);
            c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        }
        c.setHost(config.host());
        c.setPort(config.port());
        server.addConnector(c);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing; the start failure is what matters
            }
            throw new RotorException("admin API cannot start on " + config.host() + ":" + config.port() + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        connector = c;
        LOG.info("admin API listening on {}", uri());
    }

    /** Where the server listens, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        ServerConnector c = connector;
        if (c == null) {
            throw new IllegalStateException("not started");
        }
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create((config.tls() == null ? "http" : "https") + "://" + host + ":" + c.getLocalPort() + "/");
    }

    /**
     * Where the daemon hands its rotation events for {@code GET /v1/events}: add it as a
     * {@link RotationListener} of the rotation service. It never blocks: a client that falls
     * behind is dropped.
     */
    public RotationListener rotationListener() {
        return events;
    }

    /** Clients following {@code GET /v1/events} now. */
    int eventClients() {
        return events.clientCount();
    }

    /** Stops the server (ending every event stream first), giving running requests up to 5 seconds. */
    @Override
    public synchronized void close() {
        events.close();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("admin API did not stop cleanly: {}", e.getClass().getSimpleName());
        }
    }

    /** Bridges Jetty's request to {@link ApiHandler}. */
    private final class JettyAdapter extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (HttpField f : request.getHeaders()) {
                headers.computeIfAbsent(f.getLowerCaseName(), k -> new ArrayList<>()).add(f.getValue() == null ? "" : f.getValue());
            }
            byte[] body;
            boolean tooLarge;
            try (InputStream in = Content.Source.asInputStream(request)) {
                body = in.readNBytes(ApiHandler.MAX_BODY_BYTES);
                tooLarge = in.read() >= 0;
            }
            ApiRequest req = new ApiRequest(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(),
                    headers, Request.getRemoteAddr(request), body, tooLarge);
            ApiResponse res = handler.handle(req);
            response.setStatus(res.status());
            res.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            if (res.isEventStream()) {
                stream(response, callback);
                return true;
            }
            if (tooLarge) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            response.write(true, ByteBuffer.wrap(res.body()), callback);
            return true;
        }
    }

    /**
     * Writes one client's event stream on this request's (virtual) thread until the client goes,
     * is dropped for falling behind, or the server closes.
     */
    private void stream(Response response, Callback callback) {
        try (EventHub.Client client = events.connect()) {
            write(response, EventHub.preamble());
            byte[] chunk;
            while ((chunk = client.next()) != null) {
                write(response, chunk);
            }
            response.write(true, ByteBuffer.allocate(0), callback);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (IOException | RuntimeException e) {
            LOG.debug("event stream ended: {}", e.getClass().getSimpleName());
            callback.failed(e);
        }
    }

    private static void write(Response response, byte[] chunk) throws IOException, InterruptedException {
        FutureCallback done = new FutureCallback();
        response.write(false, ByteBuffer.wrap(chunk), done);
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IOException("writing to the client failed", e.getCause());
        }
    }

    /** Jetty's own refusals (bad URI, header too large) as JSON, never HTML or a stack trace. */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
                throws IOException {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            response.write(true, ByteBuffer.wrap(body(code)), callback);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(body(status));
        }

        private static byte[] body(int status) {
            String code = status == 404 ? "not_found" : status == 431 ? "headers_too_large" : status == 414 ? "uri_too_long"
                    : status < 500 ? "bad_request" : "internal_error";
            return ("{\"code\":\"" + code + "\",\"message\":\"the request was refused by the HTTP layer (" + status
                    + ")\",\"requestId\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Builds an {@link AdminServer}; {@link #build()} names every missing part at once. */
    public static final class Builder {
        private @Nullable ApiConfig config;
        private @Nullable AdminService service;
        private @Nullable MetricRegistry metrics;
        private @Nullable AuditSink audit;
        private AuthFailureListener authFailures = AuthFailureListener.none();
        private Clock clock = Clock.systemUTC();
        private Function<String, @Nullable String> env = System::getenv;
        private Duration eventsHeartbeat = Duration.ofSeconds(15);
        private int eventsBuffer = EventHub.DEFAULT_BUFFER;

        private Builder() {}

        /** How often an idle event stream gets a heartbeat comment; 15 seconds by default (below Jetty's 30 s idle timeout). */
        public Builder eventsHeartbeat(Duration heartbeat) {
            Objects.requireNonNull(heartbeat, "heartbeat");
            if (heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("eventsHeartbeat must be positive");
            }
            this.eventsHeartbeat = heartbeat;
            return this;
        }

        /** How many events an event-stream client may fall behind before it is dropped; 256 by default. */
        public Builder eventsBuffer(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("eventsBuffer must be at least 1");
            }
            this.eventsBuffer = events;
            return this;
        }

        public Builder config(ApiConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder service(AdminService service) {
            this.service = Objects.requireNonNull(service, "service");
            return this;
        }

        /** The registry {@code /metrics} shows; none gives an empty page. */
        public Builder metrics(MetricRegistry metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Where every call is audited (required: no audit, no API). */
        public Builder audit(AuditSink audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        public Builder authFailureListener(AuthFailureListener listener) {
            this.authFailures = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where environment variables are read (the TLS password); default {@link System#getenv}. */
        public Builder env(Function<String, @Nullable String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        public AdminServer build() {
            List<String> missing = new ArrayList<>();
            if (config == null) {
                missing.add("config");
            }
            if (service == null) {
                missing.add("service");
            }
            if (audit == null) {
                missing.add("audit");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("AdminServer needs " + String.join(", ", missing));
            }
            return new AdminServer(this);
        }
    }
}
