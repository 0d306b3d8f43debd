package dev.rotor.rotator.keycloak;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.rotation.RotationContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One realm of the test Keycloak for one test: the rotator's own client and the target clients,
 * and helpers to make rotators, contexts and secret versions for it.
 */
final class Fixture {

    static final String ROTATOR = "rotor";
    static final String STORE = "test";
    static final String PATH = "apps/billing/oauth";
    private static final AtomicInteger REALMS = new AtomicInteger();
    private static final AtomicInteger VERSIONS = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();

    final KeycloakTestAdmin kc;
    final String realm;
    final String rotatorSecret = randomSecret();

    Fixture(KeycloakTestAdmin kc, String name) {
        this.kc = kc;
        this.realm = name + "-" + REALMS.incrementAndGet() + "-" + ProcessHandle.current().pid();
        kc.createRealm(realm);
    }

    /** The rotator's own client, with these roles of realm-management. */
    Fixture rotatorClient(String... roles) {
        kc.createRotatorClient(realm, ROTATOR, rotatorSecret, roles);
        return this;
    }

    /** The rotator's client with what every strategy needs: manage-clients and view-realm. */
    Fixture rotatorClient() {
        return rotatorClient(KeycloakAdmin.MANAGE_CLIENTS, KeycloakAdmin.VIEW_REALM);
    }

    /** A target client with a fresh random secret, returned. */
    String target(String clientId) {
        String secret = randomSecret();
        kc.createClient(realm, clientId, secret, true);
        return secret;
    }

    KeycloakClientSecretRotator.Builder rotator(KeycloakStrategy strategy, String... clients) {
        return KeycloakClientSecretRotator.builder()
                .serverUrl(kc.server())
                .realm(realm)
                .strategy(strategy)
                .clients(clients)
                .authClientId(ROTATOR)
                .authClientSecret(() -> SecretValue.ofUtf8(rotatorSecret));
    }

    static RotationContext context() {
        return context("run-" + VERSIONS.incrementAndGet());
    }

    static RotationContext context(String runId) {
        return new RotationContext(runId, STORE, PATH, false, "scheduled", Clock.systemUTC());
    }

    static Secret version(Stage stage, String clientId, String secret) {
        return version(stage, SecretValue.ofFields(Map.of(KeycloakClientSecretRotator.CLIENT_ID_FIELD, clientId,
                KeycloakClientSecretRotator.CLIENT_SECRET_FIELD, secret)));
    }

    static Secret version(Stage stage, SecretValue value) {
        return new Secret(PATH, new VersionInfo("v" + VERSIONS.incrementAndGet(), Instant.now(), Set.of(stage), Map.of()), value);
    }

    static String clientId(Secret s) {
        return s.value().field(KeycloakClientSecretRotator.CLIENT_ID_FIELD).asUtf8();
    }

    static String clientSecret(Secret s) {
        return s.value().field(KeycloakClientSecretRotator.CLIENT_SECRET_FIELD).asUtf8();
    }

    static String clientId(SecretValue v) {
        return v.field(KeycloakClientSecretRotator.CLIENT_ID_FIELD).asUtf8();
    }

    static String clientSecret(SecretValue v) {
        return v.field(KeycloakClientSecretRotator.CLIENT_SECRET_FIELD).asUtf8();
    }

    static String randomSecret() {
        String alphabet = SecretGenerator.ALPHABET;
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
