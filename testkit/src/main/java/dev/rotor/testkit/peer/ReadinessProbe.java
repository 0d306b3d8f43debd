package dev.rotor.testkit.peer;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;

/**
 * Says whether a started peer answers yet. {@link PeerProcess} polls it until it returns true,
 * the process exits, or the start timeout passes. A probe that throws counts as "not yet".
 */
@FunctionalInterface
public interface ReadinessProbe {

    /** True once the peer listening on {@code port} of {@code host} is ready for tests. */
    boolean isReady(String host, int port) throws IOException;

    /** Ready once a TCP connection to the port succeeds. */
    static ReadinessProbe tcp() {
        return (host, port) -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        };
    }

    /**
     * Ready once an HTTP GET of {@code path} answers with a status below 500 (a 404 still shows a
     * live server; a 5xx may be a server still starting).
     */
    static ReadinessProbe http(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return (host, port) -> {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + ":" + port + p).toURL().openConnection();
            c.setConnectTimeout((int) Duration.ofMillis(500).toMillis());
            c.setReadTimeout((int) Duration.ofSeconds(2).toMillis());
            try {
                return c.getResponseCode() < 500;
            } catch (IOException e) {
                return false;
            } finally {
                c.disconnect();
            }
        };
    }
}
