package dev.rotor.rotator.keycloak;

import static dev.rotor.rotator.keycloak.Fixture.clientId;
import static dev.rotor.rotator.keycloak.Fixture.clientSecret;
import static dev.rotor.rotator.keycloak.Fixture.context;
import static dev.rotor.rotator.keycloak.Fixture.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.memory.InMemorySecretStore;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.peer.KeycloakPeer;
import dev.rotor.testkit.peer.PeerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each step of the rotator, called directly against the real Keycloak, including repeats and odd states. */
class KeycloakRotatorStepsIT {

    @RegisterExtension
    static final PeerExtension KEYCLOAK = KeycloakPeer.extension(KeycloakTestAdmin.SECRET_ROTATION_FEATURE);

    private KeycloakTestAdmin kc;
    private Fixture f;

    @BeforeEach
    void realm() {
        kc = new KeycloakTestAdmin(KEYCLOAK.peer().uri());
        f = new Fixture(kc, "steps").rotatorClient();
    }

    @AfterEach
    void dropRealm() {
        kc.deleteRealm(f.realm);
    }

    @Nested
    class DualSecret {

        private String s0;
        private Secret current;
        private KeycloakClientSecretRotator rotator;

        @BeforeEach
        void client() {
            kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(1), Duration.ofDays(30));
            s0 = f.target("billing");
            current = version(Stage.CURRENT, "billing", s0);
            rotator = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").build();
        }

        @Test
        void applyKeepsTheOldSecretValidUntilRetire() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            assertThat(clientId(pending)).isEqualTo("billing");
            assertThat(clientSecret(pending)).hasSize(KeycloakClientSecretRotator.DEFAULT_SECRET_LENGTH).isNotEqualTo(s0);

            rotator.apply(ctx, current, pending);
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(clientSecret(pending));
            assertThat(kc.rotatedSecret(f.realm, "billing")).contains(s0);
            assertThat(kc.tokenWorks(f.realm, "billing", s0)).as("old secret during the overlap").isTrue();
            assertThat(kc.tokenWorks(f.realm, "billing", clientSecret(pending))).isTrue();

            rotator.verify(ctx, pending);
            rotator.retire(ctx, current, pending);
            assertThat(kc.tokenWorks(f.realm, "billing", s0)).as("old secret after RETIRE").isFalse();
            assertThat(kc.tokenWorks(f.realm, "billing", clientSecret(pending))).isTrue();
            assertThat(kc.rotatedSecret(f.realm, "billing")).isEmpty();
        }

        @Test
        void applyTwiceRegeneratesOnce() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            rotator.apply(ctx, current, pending);
            rotator.apply(ctx, current, pending);
            // a second regeneration would have made PENDING the rotated secret and dropped CURRENT
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(clientSecret(pending));
            assertThat(kc.rotatedSecret(f.realm, "billing")).contains(s0);
            assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
        }

        @Test
        void applyResumesAfterACrashBetweenRegeneratingAndSettingTheSecret() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            String generated = kc.regenerate(f.realm, "billing"); // the first half of an APPLY that then died

            rotator.apply(ctx, current, pending);
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(clientSecret(pending));
            assertThat(kc.rotatedSecret(f.realm, "billing")).contains(s0);
            assertThat(kc.tokenWorks(f.realm, "billing", generated)).isFalse();
            assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
        }

        @Test
        void applyRefusesWhenTheSecretWasChangedOutsideTheRotation() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            String outside = Fixture.randomSecret();
            kc.setSecret(f.realm, "billing", outside);

            assertThatThrownBy(() -> rotator.apply(ctx, current, pending))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.APPLY))
                    .hasMessageContaining("changed outside this rotation");
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(outside);
        }

        @Test
        void rollbackAfterApplyPutsCurrentBackAndPendingGrantsNothing() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            rotator.apply(ctx, current, pending);

            rotator.rollback(ctx, current, pending);
            rotator.rollback(ctx, current, pending);
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(s0);
            assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
            assertThat(kc.tokenWorks(f.realm, "billing", clientSecret(pending))).isFalse();
        }

        @Test
        void rollbackBeforeApplyChangesNothing() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));

            rotator.rollback(ctx, current, pending);
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(s0);
            assertThat(kc.rotatedSecret(f.realm, "billing")).isEmpty();
        }

        @Test
        void verifyFailsWhenKeycloakRefusesThePendingSecret() {
            RotationContext ctx = context();
            Secret notApplied = version(Stage.PENDING, "billing", Fixture.randomSecret());

            assertThatThrownBy(() -> rotator.verify(ctx, notApplied))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                    .hasMessageContaining("refused")
                    .hasMessageContaining("billing");
        }

        @Test
        void retireTwiceIsHarmlessAndNeverTouchesCurrent() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            rotator.apply(ctx, current, pending);

            rotator.retire(ctx, current, pending);
            rotator.retire(ctx, current, pending);
            assertThat(kc.secret(f.realm, "billing")).isEqualTo(clientSecret(pending));
            assertThat(kc.tokenWorks(f.realm, "billing", clientSecret(pending))).isTrue();
        }

        @Test
        void retireRefusesWhilePreviousIsStillThePrimarySecret() {
            RotationContext ctx = context();
            Secret notApplied = version(Stage.CURRENT, "billing", Fixture.randomSecret());

            assertThatThrownBy(() -> rotator.retire(ctx, current, notApplied))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.RETIRE))
                    .hasMessageContaining("CURRENT is not applied");
            assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
        }

        @Test
        void otherFieldsOfTheSecretCarryOver() {
            SecretValue withUrl = SecretValue.ofFields(Map.of("clientId", "billing", "clientSecret", s0,
                    "tokenUrl", kc.server() + "/realms/" + f.realm + "/protocol/openid-connect/token"));
            Secret cur = version(Stage.CURRENT, withUrl);
            RotationContext ctx = context();
            rotator.preflight(ctx, cur);
            SecretValue next = rotator.create(ctx, cur);
            assertThat(next.field("tokenUrl").asUtf8()).endsWith("/realms/" + f.realm + "/protocol/openid-connect/token");
            assertThat(clientSecret(next)).isNotEqualTo(s0);
        }
    }

    @Test
    void dualSecretPutsTheOldSecretBackWhenThePolicyDoesNotApplyToTheRegeneration() {
        // a condition the rotator cannot judge beforehand, and which does not hold: Keycloak applies nothing
        kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(1), Duration.ofDays(30),
                List.of(Map.of("condition", "client-roles", "configuration", Map.of("roles", List.of("no-such-role")))));
        String s0 = f.target("billing");
        Secret current = version(Stage.CURRENT, "billing", s0);
        KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.DUAL_SECRET, "billing").build();
        RotationContext ctx = context();
        rotator.preflight(ctx, current);
        Secret pending = version(Stage.PENDING, rotator.create(ctx, current));

        assertThatThrownBy(() -> rotator.apply(ctx, current, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.APPLY))
                .hasMessageContaining("did not keep the old secret")
                .hasMessageContaining("CURRENT works");
        assertThat(kc.secret(f.realm, "billing")).isEqualTo(s0);
        assertThat(kc.tokenWorks(f.realm, "billing", s0)).isTrue();
        assertThat(kc.tokenWorks(f.realm, "billing", clientSecret(pending))).isFalse();
    }

    @Test
    void theRotatorsOwnSecretMayLiveInAStore() {
        f.target("billing-a");
        f.target("billing-b");
        InMemorySecretStore vault = new InMemorySecretStore("vault");
        vault.put("rotor/keycloak", SecretValue.ofFields(Map.of("clientSecret", f.rotatorSecret)), PutOptions.current());
        Map<String, Object> settings = Map.of(
                "serverUrl", kc.server().toString(),
                "realm", f.realm,
                "strategy", "alternating",
                "clients", List.of("billing-a", "billing-b"),
                "auth", Map.of("clientId", Fixture.ROTATOR, "secret", "secret://vault/rotor/keycloak"));
        RotatorConfig config = new RotatorConfig("billing", KeycloakClientSecretRotator.TYPE, settings);
        RotatorContext rotatorContext = new RotatorContext(Clock.systemUTC(), name -> null, Map.of("vault", vault)::get);
        KeycloakClientSecretRotator rotator = new KeycloakRotatorProvider().open(config, rotatorContext);

        rotator.preflight(context(), null);

        vault.put("rotor/keycloak", SecretValue.ofFields(Map.of("clientSecret", "no-longer-valid")), PutOptions.current());
        KeycloakClientSecretRotator fresh = new KeycloakRotatorProvider().open(config, rotatorContext);
        assertThatThrownBy(() -> fresh.preflight(context(), null))
                .isInstanceOf(RotationException.class)
                .hasMessageContaining("refused");
        vault.close();
    }

    @Nested
    class Alternating {

        private String a0;
        private String b0;
        private Secret current;
        private KeycloakClientSecretRotator rotator;

        @BeforeEach
        void clients() {
            a0 = f.target("billing-a");
            b0 = f.target("billing-b");
            current = version(Stage.CURRENT, "billing-a", a0);
            rotator = f.rotator(KeycloakStrategy.ALTERNATING, "billing-a", "billing-b").build();
        }

        @Test
        void applySetsTheIdleClientAndLeavesTheActiveOneAlone() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            assertThat(clientId(pending)).isEqualTo("billing-b");

            rotator.apply(ctx, current, pending);
            rotator.apply(ctx, current, pending);
            assertThat(kc.secret(f.realm, "billing-b")).isEqualTo(clientSecret(pending));
            assertThat(kc.secret(f.realm, "billing-a")).isEqualTo(a0);
            assertThat(kc.tokenWorks(f.realm, "billing-b", b0)).isFalse();
            rotator.verify(ctx, pending);

            rotator.retire(ctx, current, pending);
            assertThat(kc.tokenWorks(f.realm, "billing-a", a0)).as("previous client after RETIRE").isFalse();
            assertThat(kc.tokenWorks(f.realm, "billing-b", clientSecret(pending))).isTrue();
        }

        @Test
        void rollbackLeavesThePendingSecretOpeningNothing() {
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, current));
            rotator.apply(ctx, current, pending);

            rotator.rollback(ctx, current, pending);
            rotator.rollback(ctx, current, pending);
            assertThat(kc.tokenWorks(f.realm, "billing-b", clientSecret(pending))).isFalse();
            assertThat(kc.tokenWorks(f.realm, "billing-a", a0)).isTrue();
        }

        @Test
        void aFirstRotationWithoutCurrentTakesTheFirstClient() {
            RotationContext ctx = context();
            rotator.preflight(ctx, null);
            Secret pending = version(Stage.PENDING, rotator.create(ctx, null));
            assertThat(clientId(pending)).isEqualTo("billing-a");

            rotator.apply(ctx, null, pending);
            rotator.verify(ctx, pending);
            assertThat(kc.tokenWorks(f.realm, "billing-a", a0)).isFalse();
            assertThat(kc.tokenWorks(f.realm, "billing-a", clientSecret(pending))).isTrue();
        }
    }

    @Nested
    class Auto {

        @Test
        void choosesDualSecretWhereTheRealmHasThePolicy() {
            kc.enableSecretRotationPolicy(f.realm, Duration.ofHours(1), Duration.ofDays(30));
            Secret current = version(Stage.CURRENT, "billing-a", f.target("billing-a"));
            f.target("billing-b");
            KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.AUTO, "billing-a", "billing-b").build();
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            assertThat(clientId(rotator.create(ctx, current))).isEqualTo("billing-a");
        }

        @Test
        void alternatesWithoutThePolicy() {
            Secret current = version(Stage.CURRENT, "billing-a", f.target("billing-a"));
            f.target("billing-b");
            KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.AUTO, "billing-a", "billing-b").build();
            RotationContext ctx = context();
            rotator.preflight(ctx, current);
            assertThat(clientId(rotator.create(ctx, current))).isEqualTo("billing-b");
        }

        @Test
        void createRefusesARunWhosePrepareRanElsewhere() {
            Secret current = version(Stage.CURRENT, "billing-a", f.target("billing-a"));
            f.target("billing-b");
            KeycloakClientSecretRotator rotator = f.rotator(KeycloakStrategy.AUTO, "billing-a", "billing-b").build();

            assertThatThrownBy(() -> rotator.create(context(), current))
                    .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.CREATE))
                    .hasMessageContaining("decided at PREPARE");
        }
    }
}
