package dev.rotor.testkit.peer;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in peer for the harness tests, run as its own JVM: {@code TinyServer <mode> <port>}.
 * Modes: {@code serve} answers HTTP 200 on every path; {@code serve-with-child} also starts a
 * child JVM that idles; {@code exit} prints a line and exits with code 3; {@code mute} prints a
 * line and idles without listening; {@code idle} just idles (the child).
 */
public final class TinyServer {

    private TinyServer() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        switch (mode) {
            case "serve", "serve-with-child" -> {
                if (mode.equals("serve-with-child")) {
                    Process child = new ProcessBuilder(command("idle", "0")).inheritIO().start();
                    System.out.println("child pid " + child.pid());
                }
                int port = Integer.parseInt(args[1]);
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
                server.createContext("/", exchange -> {
                    byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
                server.start();
                System.out.println("tiny server listening on " + port);
                new CountDownLatch(1).await();
            }
            case "exit" -> {
                System.out.println("boom: cannot start");
                System.exit(3);
            }
            case "mute" -> {
                System.out.println("starting but never listening");
                new CountDownLatch(1).await();
            }
            case "idle" -> new CountDownLatch(1).await();
            default -> throw new IllegalArgumentException(mode);
        }
    }

    /** The command that runs this class in a new JVM. */
    static List<String> command(String mode, String port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classes;
        try {
            classes = new File(TinyServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        return List.of(java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", classes, TinyServer.class.getName(), mode, port);
    }
}
