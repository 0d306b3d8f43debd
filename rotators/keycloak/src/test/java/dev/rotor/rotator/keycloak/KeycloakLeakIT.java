package dev.rotor.rotator.keycloak;

import static dev.rotor.rotator.keycloak.Fixture.clientSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditEventCodec;
import dev.rotor.audit.AuditSink;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.rotation.RotationEngine;
import dev.rotor.rotation.RotationEvent;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.RotationOptions;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.LeakChecker;
import dev.rotor.testkit.TestClock;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No secret in a log line, standard output, an exception message, an event or an audit record:
 * the rotator's own secret and the client's starting secret are canaries, every path (success,
 * RETIRE, a refused APPLY, a refused VERIFY, refused rotator credentials) runs at DEBUG and below,
 * and the secrets the rotator generates are looked for too.
 */
class KeycloakLeakIT {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private KeycloakTestAdmin kc;
    private String realm;
    private Canary rotatorSecret;
    private Canary clientSecret0;

    @BeforeEach
    void setUp() {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        Fixture f = new Fixture(kc, "leak");
        realm = f.realm;
        rotatorSecret = leaks.canary();
        clientSecret0 = leaks.canary();
        kc.createRotatorClient(realm, Fixture.ROTATOR, rotatorSecret.text(), KeycloakAdmin.MANAGE_CLIENTS, KeycloakAdmin.VIEW_REALM);
        kc.createClient(realm, "billing", clientSecret0.text(), true);
        kc.enableSecretRotationPolicy(realm, Duration.ofHours(6), Duration.ofDays(30));
    }

    @AfterEach
    void dropRealm() {
        kc.deleteRealm(realm);
    }

    private KeycloakClientSecretRotator.Builder rotator() {
        return KeycloakClientSecretRotator.builder()
                .serverUrl(kc.server())
                .realm(realm)
                .strategy(KeycloakStrategy.DUAL_SECRET)
                .clients("billing")
                .authClientId(Fixture.ROTATOR)
                .authClientSecret(rotatorSecret::value)
                .clock(clock);
    }

    @Test
    void noSecretReachesLogsMessagesEventsOrAudit() {
        InMemorySecretStore store = new InMemorySecretStore("leak", clock);
        RotationEngine engine = RotationEngine.builder(store).clock(clock)
                .options(RotationOptions.defaults().withGracePeriod(Duration.ofMinutes(1)))
                .auditSink(new AuditSink() {
                    @Override
                    public void append(AuditEvent event) {
                        audit.add(event);
                    }

                    @Override
                    public String describe() {
                        return "memory";
                    }

                    @Override
                    public void close() {}
                })
                .listener(events::add)
                .build();
        store.put(Fixture.PATH, SecretValue.ofFields(Map.of("clientId", "billing", "clientSecret", clientSecret0.text())), PutOptions.current());
        KeycloakClientSecretRotator rotator = rotator().build();
        List<String> generated = new ArrayList<>();

        // a rotation and its RETIRE
        assertThat(engine.rotate(Fixture.PATH, rotator, RotationRequest.scheduled())).isInstanceOf(RotationResult.Succeeded.class);
        generated.add(clientSecret(store.get(Fixture.PATH, Selector.stage(Stage.CURRENT))));
        clock.advance(Duration.ofMinutes(2));
        assertThat(engine.retireDue(Fixture.PATH, rotator)).isInstanceOf(RotationResult.Retired.class);

        // APPLY refused: the secret on Keycloak was changed outside the rotation
        Secret current = store.get(Fixture.PATH, Selector.stage(Stage.CURRENT));
        Canary outside = leaks.canary();
        kc.setSecret(realm, "billing", outside.text());
        Secret pending = Fixture.version(Stage.PENDING, rotator.create(Fixture.context(), current));
        generated.add(clientSecret(pending));
        assertThatThrownBy(() -> rotator.apply(Fixture.context(), current, pending))
                .isInstanceOf(RotationException.class)
                .satisfies(e -> messages.add(e.getMessage()));
        // VERIFY refused
        assertThatThrownBy(() -> rotator.verify(Fixture.context(), pending))
                .isInstanceOf(RotationException.class)
                .satisfies(e -> messages.add(e.getMessage()));
        kc.setSecret(realm, "billing", generated.get(0));

        // refused rotator credentials, through the engine
        Canary wrong = leaks.canary();
        KeycloakClientSecretRotator refused = rotator().authClientSecret(wrong::value).build();
        assertThat(engine.rotate(Fixture.PATH, refused, RotationRequest.scheduled()))
                .isInstanceOfSatisfying(RotationResult.Failed.class, failed -> messages.add(failed.message()));

        List<String> published = new ArrayList<>(messages);
        events.forEach(e -> published.add(e.toString()));
        audit.forEach(a -> published.add(AuditEventCodec.toJson(a)));
        published.add(rotator.toString());
        for (String text : published) {
            LeakChecker.assertNoCanaryIn("published text", text, leaks.checker().canaries());
            for (String secret : generated) {
                assertThat(text).doesNotContain(secret);
            }
        }
        assertThat(messages).hasSize(3);
        assertThat(events).isNotEmpty();
        store.close();
    }
}
