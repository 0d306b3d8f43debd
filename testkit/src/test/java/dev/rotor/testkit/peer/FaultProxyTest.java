package dev.rotor.testkit.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

    private HttpServer upstream;
    private final AtomicInteger upstreamRequests = new AtomicInteger();
    private final List<String> upstreamBodies = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<FaultProxy> proxies = new ArrayList<>();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        upstream.createContext("/", exchange -> {
            upstreamRequests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (upstreamBodies) {
                upstreamBodies.add(body);
            }
            byte[] answer = ("echo " + exchange.getRequestMethod() + " " + body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Upstream", "yes");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        proxies.forEach(FaultProxy::close);
        upstream.stop(0);
    }

    private URI upstreamUri() {
        return URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
    }

    private FaultProxy proxy(long seed) throws IOException {
        FaultProxy p = FaultProxy.start(upstreamUri(), seed);
        proxies.add(p);
        return p;
    }

    private HttpResponse<String> post(FaultProxy proxy, String target, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(proxy.uri().resolve("/path?x=1"))
                .header("X-Amz-Target", target)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void passForwardsTheRequestAndTheAnswerAndRecordsTheExchange() throws Exception {
        FaultProxy proxy = proxy(1);

        HttpResponse<String> response = post(proxy, "secretsmanager.GetSecretValue", "hello");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("echo POST hello");
        assertThat(response.headers().firstValue("X-Upstream")).contains("yes");
        assertThat(response.headers().firstValue("Connection")).hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("close"));
        assertThat(proxy.exchanges()).containsExactly(new FaultProxy.Exchange("secretsmanager.GetSecretValue", FaultProxy.Outcome.FORWARDED));
        assertThat(upstreamRequests).hasValue(1);
    }

    @Test
    void requestsWithoutATargetHeaderAreLabelledByMethodAndPath() throws Exception {
        FaultProxy proxy = proxy(1);

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.uri().resolve("/health?full=1")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(proxy.count("GET /health")).isEqualTo(1);
    }

    @Test
    void throttlingAnswersAnAwsThrottlingExceptionAndTheUpstreamSeesNothing() throws Exception {
        FaultProxy proxy = proxy(1);
        proxy.fault(Fault.awsThrottling(1.0, Duration.ofSeconds(2)));

        HttpResponse<String> response = post(proxy, "secretsmanager.GetSecretValue", "x");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).contains("\"__type\":\"ThrottlingException\"");
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("ThrottlingException");
        assertThat(response.headers().firstValue("Retry-After")).contains("2");
        assertThat(proxy.count(FaultProxy.Outcome.RESPONDED)).isEqualTo(1);
        assertThat(upstreamRequests).hasValue(0);
    }

    @Test
    void serverErrorAnswersA500() throws Exception {
        FaultProxy proxy = proxy(1);
        proxy.fault(Fault.awsServerError(1.0));

        HttpResponse<String> response = post(proxy, "secretsmanager.PutSecretValue", "x");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("InternalServiceError");
        assertThat(upstreamRequests).hasValue(0);
    }

    @Test
    void aProbabilityIsDrawnFromTheSeedSoTheSequenceRepeats() throws Exception {
        List<FaultProxy.Outcome> first = outcomesOf(proxy(42), 40);
        List<FaultProxy.Outcome> second = outcomesOf(proxy(42), 40);

        assertThat(second).isEqualTo(first);
        assertThat(first).contains(FaultProxy.Outcome.FORWARDED, FaultProxy.Outcome.RESPONDED);
        long hits = first.stream().filter(o -> o == FaultProxy.Outcome.RESPONDED).count();
        assertThat(hits).as("about half of 40").isBetween(8L, 32L);
    }

    private List<FaultProxy.Outcome> outcomesOf(FaultProxy proxy, int requests) throws Exception {
        proxy.fault(Fault.awsThrottling(0.5));
        for (int i = 0; i < requests; i++) {
            int status = post(proxy, "svc.Op", "n" + i).statusCode();
            assertThat(status).isIn(200, 429);
        }
        return proxy.exchanges().stream().map(FaultProxy.Exchange::outcome).toList();
    }

    @Test
    void resetBreaksTheConnectionWithoutAnAnswer() throws Exception {
        FaultProxy proxy = proxy(1);
        proxy.fault(Fault.reset(1.0));

        assertThatThrownBy(() -> post(proxy, "svc.Op", "x")).isInstanceOf(IOException.class);

        assertThat(proxy.exchanges()).containsExactly(new FaultProxy.Exchange("svc.Op", FaultProxy.Outcome.RESET));
        assertThat(upstreamRequests).hasValue(0);
    }

    @Test
    void slowHoldsTheAnswerBackForTheDelay() throws Exception {
        FaultProxy proxy = proxy(1);
        proxy.fault(Fault.slow(1.0, Duration.ofMillis(400)));

        long start = System.nanoTime();
        HttpResponse<String> response = post(proxy, "svc.Op", "late");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.body()).isEqualTo("echo POST late");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(proxy.count("svc.Op", FaultProxy.Outcome.DELAYED)).isEqualTo(1);
    }

    @Test
    void aChunkedRequestBodyIsPassedOnWhole() throws Exception {
        FaultProxy proxy = proxy(1);
        byte[] body = "x".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(proxy.uri())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstreamBodies).containsExactly("x".repeat(20_000));
    }

    @Test
    void anUnreachableUpstreamGivesA502() throws Exception {
        int closedPort = PeerProcess.freeLoopbackPort();
        FaultProxy proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + closedPort));
        proxies.add(proxy);

        HttpResponse<String> response = post(proxy, "svc.Op", "x");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(proxy.count(FaultProxy.Outcome.UPSTREAM_FAILED)).isEqualTo(1);
    }

    @Test
    void clearForgetsTheExchangesAndCloseStopsAccepting() throws Exception {
        FaultProxy proxy = proxy(1);
        post(proxy, "svc.Op", "x");
        proxy.clear();
        assertThat(proxy.total()).isZero();

        proxy.close();
        proxy.close();

        assertThatThrownBy(() -> post(proxy, "svc.Op", "x")).isInstanceOf(IOException.class);
    }

    @Test
    void faultsRejectBadSettings() {
        assertThatThrownBy(() -> Fault.reset(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probability");
        assertThatThrownBy(() -> Fault.slow(0.5, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Fault.Respond(1, 42, java.util.Map.of(), "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaultProxy.start(URI.create("https://example.invalid"))).isInstanceOf(IllegalArgumentException.class);
    }
}
