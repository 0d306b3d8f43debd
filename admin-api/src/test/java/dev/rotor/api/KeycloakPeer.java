package dev.rotor.api;

import dev.rotor.testkit.peer.PeerExtension;
import dev.rotor.testkit.peer.PeerProcess;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The real Keycloak server of the integration tests: the {@code keycloak-quarkus-dist} zip from
 * Maven Central, unpacked by the build into {@code target/keycloak}, run with {@code kc.sh
 * start-dev} on a free loopback port with an in-memory database, once for the test run.
 */
final class KeycloakPeer {

    static final String HOME_PROPERTY = "rotor.keycloak.home";
    /** The bootstrap administrator of the throw-away test server. */
    static final String ADMIN_USER = "rotor-test-admin";
    static final String ADMIN_PASSWORD = "rotor-test-admin-password";

    private KeycloakPeer() {}

    static PeerExtension extension() {
        Path home = home();
        return PeerExtension.shared(PeerProcess.builder("keycloak")
                        .command(home.resolve("bin/kc.sh").toString(), "start-dev",
                                "--http-host={host}", "--http-port={port}", "--db=dev-mem")
                        .env("JAVA_HOME", System.getProperty("java.home"))
                        .env("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER)
                        .env("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
                        .readiness(KeycloakPeer::masterRealmAnswers)
                        // the first start augments the server: slow on a busy machine
                        .startTimeout(Duration.ofMinutes(6))
                        .stopTimeout(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(500))
                        .startAttempts(2))
                .requires(() -> missing(home));
    }

    static Path home() {
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

    /** Ready once the master realm answers: the HTTP port opens before the realms load. */
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
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
