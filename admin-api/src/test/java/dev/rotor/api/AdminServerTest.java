package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.RotorException;
import dev.rotor.audit.AuditEvent;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server over real HTTP on a loopback port: wiring, Jetty's own refusals as JSON, and the
 * canary check that no credential or daemon error text reaches a response, a log or the console.
 */
class AdminServerTest {

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StubAdminService service = new StubAdminService();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private Canary key;
    private AdminServer server;
    private URI base;

    @BeforeEach
    void start() {
        // Jetty's HTTP parser logs raw request headers at DEBUG; deployments pin it at INFO (docs/admin-api.md).
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty.http.HttpParser"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        key = leaks.canary();
        ApiConfig config = ApiConfig.defaults().withPort(0)
                .withApiKeys(List.of(new ApiKey("ops", ApiKey.hash(key.text()), EnumSet.allOf(Scope.class))));
        server = AdminServer.builder().config(config).service(service).audit(audit).build();
        server.start();
        base = server.uri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            leaks.checker().canaries().forEach(c -> assertThat(c.findIn(r.body())).as("response body").isEmpty());
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void servesOverHttpWithHeadersAndAudit() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/secrets")).header("X-Api-Key", key.text()));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Server")).isEmpty();
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(audit.events).extracting(AuditEvent::actor).containsExactly("apikey:ops");
        assertThat(audit.events.getFirst().requestId()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void rotatesThroughHttp() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/secrets/main/app/db/rotate"))
                .header("X-Api-Key", key.text()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"emergency\":true,\"reason\":\"leaked\"}")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(service.rotations).singleElement().satisfies(c -> assertThat(c.request().emergency()).isTrue());
    }

    @Test
    void oversizedBodyIs413() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/secrets/main/app/db/rotate"))
                .header("X-Api-Key", key.text()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"" + "x".repeat(40_000) + "\"}")));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(service.rotations).isEmpty();
    }

    @Test
    void daemonErrorTextReachesNeitherClientNorLog() {
        Canary inError = leaks.canary();
        service.failWith = new IllegalStateException("driver said: password " + inError.text() + " rejected");
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/runs")).header("X-Api-Key", key.text()));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("internal_error").doesNotContain("driver said");
    }

    @Test
    void jettyRefusalsAreJsonNotHtml() throws IOException {
        // A raw request Jetty itself refuses (an ambiguous encoded path segment) before the API sees it.
        String raw = rawRequest("GET /v1/secrets/%2e%2e/x HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + key.text() + "\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 4");
        assertThat(raw).doesNotContain("<html").doesNotContain("Exception");
        String garbage = rawRequest("NOT HTTP AT ALL\r\n\r\n");
        assertThat(garbage).startsWith("HTTP/1.1 400");
        assertThat(garbage).contains("\"code\"").doesNotContain("<html");
    }

    @Test
    void aTakenPortFailsStartWithARotorException() {
        ApiConfig clash = ApiConfig.defaults().withPort(base.getPort());
        AdminServer second = AdminServer.builder().config(clash).service(service).audit(audit).build();
        assertThatThrownBy(second::start).isInstanceOf(RotorException.class).hasMessageContaining("cannot start");
    }

    @Test
    void tlsWithoutItsPasswordVariableFailsStart() {
        ApiConfig tls = ApiConfig.defaults().withPort(0).withTls(new ApiConfig.Tls(Path.of("/nonexistent.p12"), "PKCS12", "ROTOR_TEST_TLS_PW"));
        AdminServer s = AdminServer.builder().config(tls).service(service).audit(audit).env(name -> null).build();
        assertThatThrownBy(s::start).isInstanceOf(RotorException.class).hasMessageContaining("ROTOR_TEST_TLS_PW");
    }

    @Test
    void builderNamesEveryMissingPart() {
        assertThatThrownBy(() -> AdminServer.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("config").hasMessageContaining("service").hasMessageContaining("audit");
    }

    private String rawRequest(String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
