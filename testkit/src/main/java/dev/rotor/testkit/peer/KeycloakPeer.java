package dev.rotor.testkit.peer;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real Keycloak server for integration tests: the {@code keycloak-quarkus-dist} zip from Maven
 * Central, unpacked by the module's build (its directory named by the system property
 * {@value #HOME_PROPERTY}, which failsafe sets), run with {@code kc.sh start-dev} on a free
 * loopback port with an in-memory database, once for the whole test run, under the running JDK
 * (21+). Every run starts from an empty server; each test class works in realms of its own.
 * Without the unpacked server a test is skipped, or fails when {@code CI=true} ({@link Peers}).
 *
 * <p>The bootstrap administrator ({@link #ADMIN_USER}) exists only in this throw-away server;
 * {@link KeycloakAdmin} logs in as it.
 */
public final class KeycloakPeer {

    public static final String HOME_PROPERTY = "rotor.keycloak.home";
    /** The bootstrap administrator of the throw-away test server. */
    public static final String ADMIN_USER = "rotor-test-admin";
    public static final String ADMIN_PASSWORD = "rotor-test-admin-password";

    private KeycloakPeer() {}

    /**
     * The server, shared by every test class of the run that uses it.
     *
     * @param features Keycloak features to turn on, e.g. {@code client-secret-rotation}
     */
    public static PeerExtension extension(String... features) {
        Path home = home();
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host={host}", "--http-port={port}", "--db=dev-mem"));
        if (features.length > 0) {
            command.add("--features=" + String.join(",", features));
        }
        return PeerExtension.shared(PeerProcess.builder("keycloak")
                        .command(command.toArray(String[]::new))
                        // the running JDK (21+) rather than whatever java the PATH offers
                        .env("JAVA_HOME", System.getProperty("java.home"))
                        .env("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER)
                        .env("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
                        .readiness(KeycloakPeer::masterRealmAnswers)
                        // the first start augments the server (again for a feature flag): slow on a busy machine
                        .startTimeout(Duration.ofMinutes(6))
                        .stopTimeout(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(500))
                        .startAttempts(2))
                .requires(() -> missing(home));
    }

    /** Where the build unpacked the server. */
    public static Path home() {
        String p = System.getProperty(HOME_PROPERTY);
        return p == null ? Path.of("target", "keycloak", "missing") : Path.of(p);
    }

    private static Optional<String> missing(Path home) {
        if (System.getProperty(HOME_PROPERTY) == null) {
            return Optional.of("system property " + HOME_PROPERTY + " is not set (run the tests with Maven: failsafe sets it)");
        }
        if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
            return Optional.of("no Keycloak server at " + home + " (the build unpacks org.keycloak:keycloak-quarkus-dist there)");
        }
        return Optional.empty();
    }

    /** Ready once the master realm answers 200: the HTTP port opens before the realms load. */
    private static boolean masterRealmAnswers(String host, int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + ":" + port + "/realms/master").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(5000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }
}
