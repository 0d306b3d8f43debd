package dev.rotor.alert.internal;

import dev.rotor.alert.AlertDeliveryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Posts JSON bodies for the HTTP sinks and turns every failure into an
 * {@link AlertDeliveryException} that names the sink and a status or an exception type: never
 * the URL's query, a header or a response body, which may hold tokens. Thread-safe.
 */
public final class HttpPoster implements AutoCloseable {

    private final HttpClient client;
    private final Duration timeout;

    public HttpPoster(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Posts {@code body}; returns the status of a 2xx answer. */
    public int post(String sink, URI url, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "rotor-alerting")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        HttpResponse<Void> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new AlertDeliveryException(sink + ": " + e.getClass().getSimpleName(), true, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AlertDeliveryException(sink + ": interrupted", true, null);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return status;
        }
        boolean retryable = status == 408 || status == 429 || status >= 500;
        throw new AlertDeliveryException(sink + ": HTTP " + status, retryable, null);
    }

    /** Scheme, host, port and path: the query and user info may hold a token. */
    public static String describe(URI url) {
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return url.getScheme() + "://" + url.getHost() + port + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public void close() {
        client.close();
    }
}
