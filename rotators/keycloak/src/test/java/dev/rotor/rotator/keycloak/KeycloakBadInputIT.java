package dev.rotor.rotator.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import dev.rotor.testkit.peer.PeerProcess;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input against the real Keycloak: each fails at PREPARE with a message that says what is
 * wrong, before anything changes. Each case is checked twice: calling {@code preflight} directly,
 * and through the engine (a failure event, CURRENT untouched, no PENDING, the client's secret on
 * Keycloak as it was).
 */
class KeycloakBadInputIT {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    private KeycloakTestAdmin kc;
    private Fixture f;
    private String s0;

    @BeforeEach
    void realm() {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        f = new Fixture(kc, "bad");
        s0 = f.target("billing");
        f.target("billing-b");
    }

    @AfterEach
    void dropRealm() {
        kc.deleteRealm(f.realm);
    }

    private KeycloakClientSecretRotator.Builder alternating() {
        return f.rotator(KeycloakStrategy.ALTERNATING, "billing", "billing-b");
    }

    @Test
    void keycloakUnreachable() {
        f.rotatorClient();
        URI nobody = URI.create("http://127.0.0.1:" + PeerProcess.freeLoopbackPort());
        failsAtPrepare(alternating().serverUrl(nobody).connectTimeout(Duration.ofSeconds(2)), "is unreachable");
    }

    @Test
    void wrongRotatorSecret() {
        f.rotatorClient();
        failsAtPrepare(alternating().authClientSecret(() -> SecretValue.ofUtf8("not-the-secret")),
                "rotator's client 'rotor' in realm '" + f.realm + "': refused");
    }

    @Test
    void unknownRotatorClient() {
        f.rotatorClient();
        failsAtPrepare(alternating().authClientId("nobody"), "rotator's client 'nobody' in realm '" + f.realm + "': refused");
    }

    @Test
    void rotatorRealmMissing() {
        f.rotatorClient();
        failsAtPrepare(alternating().authRealm("no-such-realm"), "realm 'no-such-realm' does not exist");
    }

    @Test
    void targetRealmMissing() {
        f.rotatorClient();
        failsAtPrepare(alternating().realm("no-such-realm").authRealm(f.realm), "no-such-realm");
    }

    @Test
    void clientMissing() {
        f.rotatorClient();
        failsAtPrepare(f.rotator(KeycloakStrategy.ALTERNATING, "billing", "ghost"), "has no client 'ghost'");
    }

    @Test
    void rotatorWithoutManageClients() {
        f.rotatorClient("view-clients");
        failsAtPrepare(alternating(), "lacks the role 'manage-clients'");
    }

    @Test
    void rotatorWithoutAnyRole() {
        f.rotatorClient(new String[0]);
        failsAtPrepare(alternating(), "lacks the role 'view-clients'");
    }

    @Test
    void dualSecretWithoutARotationPolicy() {
        f.rotatorClient();
        failsAtPrepare(f.rotator(KeycloakStrategy.DUAL_SECRET, "billing"), "has no enabled client policy with a secret-rotation executor");
    }

    @Test
    void autoWithOneClientAndNoPolicy() {
        f.rotatorClient();
        failsAtPrepare(f.rotator(KeycloakStrategy.AUTO, "billing"), "only one client is configured");
    }

    @Test
    void dualSecretWithoutViewRealm() {
        f.rotatorClient("manage-clients");
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(1), Duration.ofDays(30));
        failsAtPrepare(f.rotator(KeycloakStrategy.DUAL_SECRET, "billing"), "lacks the role 'view-realm'");
    }

    @Test
    void clientWithoutServiceAccount() {
        f.rotatorClient();
        kc.createClient(f.realm, "web", Fixture.randomSecret(), false);
        failsAtPrepare(f.rotator(KeycloakStrategy.ALTERNATING, "billing", "web"), "client 'web' in realm '" + f.realm + "' cannot be rotated");
    }

    @Test
    void publicClient() {
        f.rotatorClient();
        kc.createPublicClient(f.realm, "spa");
        failsAtPrepare(f.rotator(KeycloakStrategy.ALTERNATING, "billing", "spa"), "a public client, which has no secret");
    }

    @Test
    void currentNamesAClientTheRotatorDoesNotRotate() {
        f.rotatorClient();
        kc.createClient(f.realm, "elsewhere", Fixture.randomSecret(), true);
        failsAtPrepare(f.rotator(KeycloakStrategy.ALTERNATING, "billing-b", "elsewhere"), "which this rotator does not rotate");
    }

    /** The checks of the class comment, for one misconfigured rotator. */
    private void failsAtPrepare(KeycloakClientSecretRotator.Builder builder, String expected) {
        KeycloakClientSecretRotator rotator = builder.build();
        Secret current = Fixture.version(Stage.CURRENT, "billing", s0);

        assertThatThrownBy(() -> rotator.preflight(Fixture.context(), current))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining(expected)
                .hasMessageNotContaining(s0);

        InMemorySecretStore store = new InMemorySecretStore("bad", new TestClock(Instant.parse("2030-01-01T00:00:00Z")));
        List<RotationEvent> events = new CopyOnWriteArrayList<>();
        RotationEngine engine = RotationEngine.builder(store).listener(events::add).build();
        String before = store.put(Fixture.PATH, SecretValue.ofFields(Map.of("clientId", "billing", "clientSecret", s0)), PutOptions.current()).id();

        RotationResult r = engine.rotate(Fixture.PATH, rotator, RotationRequest.scheduled());

        assertThat(r).isInstanceOfSatisfying(RotationResult.Failed.class, failed -> {
            assertThat(failed.step()).isEqualTo(Step.PREPARE);
            assertThat(failed.rolledBack()).isTrue();
            assertThat(failed.message()).contains(expected);
        });
        assertThat(events).filteredOn(RotationEvent.Failed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((RotationEvent.Failed) e).error()).contains(expected).doesNotContain(s0));
        assertThat(store.get(Fixture.PATH, Selector.stage(Stage.CURRENT)).version().id()).isEqualTo(before);
        assertThat(store.versions(Fixture.PATH)).noneMatch(v -> v.has(Stage.PENDING));
        assertThat(kc.secret(f.realm, "billing")).isEqualTo(s0);
        assertThat(kc.rotatedSecret(f.realm, "billing")).isEmpty();
        assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
        store.close();
    }
}
