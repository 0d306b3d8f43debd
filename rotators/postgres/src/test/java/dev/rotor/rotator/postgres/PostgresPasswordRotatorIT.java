package dev.rotor.rotator.postgres;

import static dev.rotor.rotator.postgres.PostgresTestSettings.adminCredentials;
import static dev.rotor.rotator.postgres.PostgresTestSettings.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakCheckExtension;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each step of {@link PostgresPasswordRotator} against a real PostgreSQL server that demands
 * SCRAM passwords and logs every statement. Every password used is a canary: the leak check
 * covers log events, standard streams, exception messages and the server's own statement log.
 */
class PostgresPasswordRotatorIT {

    @RegisterExtension
    static final EmbeddedPostgresPeer PG = new EmbeddedPostgresPeer();

    private static final AtomicInteger ROLES = new AtomicInteger();

    @RegisterExtension
    final LeakCheckExtension leaks = new LeakCheckExtension();

    private final List<PostgresPasswordRotator> rotators = new java.util.ArrayList<>();

    @AfterEach
    void closeRotators() {
        rotators.forEach(PostgresPasswordRotator::close);
    }

    private static String newRole(String prefix) {
        return prefix + "_" + ROLES.incrementAndGet();
    }

    /** Passwords from fresh canaries that the running test's leak check watches. */
    private Supplier<SecretValue> canaryPasswords() {
        return () -> leaks.canary().value();
    }

    private PostgresPasswordRotator rotator(PostgresRotatorSettings settings) {
        PostgresPasswordRotator r = new PostgresPasswordRotator(settings, adminCredentials(), canaryPasswords());
        rotators.add(r);
        return r;
    }

    private static RotationContext context() {
        return new RotationContext("run-" + ROLES.incrementAndGet(), "mem", "db/app", false, "test", Clock.systemUTC());
    }

    private static Secret secret(String version, Stage stage, SecretValue value) {
        return new Secret("db/app", new VersionInfo(version, Instant.now(), Set.of(stage), Map.of()), value);
    }

    private static Secret credential(String version, Stage stage, String user, String password, Map<String, String> extra) {
        Map<String, String> fields = new LinkedHashMap<>(extra);
        fields.put("username", user);
        fields.put("password", password);
        return secret(version, stage, SecretValue.ofFields(fields));
    }

    private static String field(SecretValue value, String name) {
        return value.field(name).asUtf8();
    }

    /** A login role with a canary password, and its credential as the CURRENT secret. */
    private Secret loginRole(String role, String... grants) {
        Canary password = leaks.canary();
        PG.admin("CREATE ROLE " + role + " LOGIN");
        PG.setPassword(role, password.text());
        for (String g : grants) {
            PG.admin("GRANT " + g + " TO " + role);
        }
        return credential("v1", Stage.CURRENT, role, password.text(), Map.of("host", PG.host(), "port", String.valueOf(PG.port())));
    }

    // ------------------------------------------------------------ single-user

    @Test
    void rotatesInPlaceTheOldPasswordStopsWorkingAndOtherFieldsAreKept() {
        String role = newRole("single");
        Secret current = loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();

        r.preflight(ctx, current);
        SecretValue next = r.create(ctx, current);
        assertThat(field(next, "username")).isEqualTo(role);
        assertThat(field(next, "host")).isEqualTo(PG.host());
        assertThat(field(next, "port")).isEqualTo(String.valueOf(PG.port()));
        assertThat(field(next, "password")).isNotEqualTo(field(current.value(), "password"));
        Secret pending = secret("v2", Stage.PENDING, next);

        r.apply(ctx, current, pending);
        r.verify(ctx, pending);

        assertThat(PG.canLogin(role, field(next, "password"))).isTrue();
        assertThat(PG.canLogin(role, field(current.value(), "password"))).isFalse();
    }

    @Test
    void applyAndVerifyTwiceAreHarmless() {
        String role = newRole("single");
        Secret current = loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();
        Secret pending = secret("v2", Stage.PENDING, r.create(ctx, current));

        r.apply(ctx, current, pending);
        r.verify(ctx, pending);
        r.apply(ctx, current, pending);
        r.verify(ctx, pending);

        assertThat(PG.canLogin(role, field(pending.value(), "password"))).isTrue();
    }

    @Test
    void rollbackRestoresTheCurrentPasswordAndIsRepeatable() {
        String role = newRole("single");
        Secret current = loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();
        Secret pending = secret("v2", Stage.PENDING, r.create(ctx, current));
        r.apply(ctx, current, pending);

        r.rollback(ctx, current, pending);
        r.rollback(ctx, current, pending);

        assertThat(PG.canLogin(role, field(current.value(), "password"))).isTrue();
        assertThat(PG.canLogin(role, field(pending.value(), "password"))).isFalse();
    }

    @Test
    void rollbackWithoutACurrentCredentialLeavesThePendingPasswordUseless() {
        String role = newRole("single");
        loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();
        Secret pending = secret("v1", Stage.PENDING, r.create(ctx, null));
        r.apply(ctx, null, pending);
        assertThat(PG.canLogin(role, field(pending.value(), "password"))).isTrue();

        r.rollback(ctx, null, pending);

        assertThat(PG.canLogin(role, field(pending.value(), "password"))).isFalse();
        assertThat(PG.canLoginAttribute(role)).as("the only role keeps LOGIN").isTrue();
    }

    @Test
    void retireHasNothingToRevoke() {
        String role = newRole("single");
        Secret previous = loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();
        Secret next = secret("v2", Stage.PENDING, r.create(ctx, previous));
        r.apply(ctx, previous, next);
        String verifier = PG.verifier(role);

        r.retire(ctx, secret("v1", Stage.PREVIOUS, previous.value()), secret("v2", Stage.CURRENT, next.value()));

        assertThat(PG.verifier(role)).isEqualTo(verifier);
        assertThat(PG.canLogin(role, field(next.value(), "password"))).isTrue();
    }

    @Test
    void firstRotationWithoutASecretUsesTheConfiguredRole() {
        String role = newRole("single");
        loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();

        r.preflight(ctx, null);
        SecretValue next = r.create(ctx, null);
        Secret pending = secret("v1", Stage.PENDING, next);
        r.apply(ctx, null, pending);
        r.verify(ctx, pending);

        assertThat(field(next, "username")).isEqualTo(role);
    }

    @Test
    void verifyFailsWhenThePendingPasswordWasNotApplied() {
        String role = newRole("single");
        Secret current = loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();
        Secret pending = secret("v2", Stage.PENDING, r.create(ctx, current));

        assertThatThrownBy(() -> r.verify(ctx, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                .hasMessageContaining("refused the new credential of role '" + role + "'")
                .hasMessageContaining("28P01");
        assertThat(PG.canLogin(role, field(current.value(), "password"))).isTrue();
    }

    @Test
    void theServersStatementLogShowsNoPlaintextPassword() throws Exception {
        leaks.watchFile(PG.logFile());
        String role = newRole("single");
        Secret current = loginRole(role);
        PostgresPasswordRotator r = rotator(settings(PG).singleUser(role).build());
        RotationContext ctx = context();
        Secret pending = secret("v2", Stage.PENDING, r.create(ctx, current));

        r.apply(ctx, current, pending);
        r.rollback(ctx, current, pending);

        // The log records the statements (so the leak check above is meaningful), but as SCRAM verifiers.
        assertThat(Files.readString(PG.logFile())).contains("ALTER USER \"" + role + "\" PASSWORD 'SCRAM-SHA-256$");
    }

    @Test
    void rotatorsOfOneServerCanShareOneAdminPool() {
        String first = newRole("single");
        String second = newRole("single");
        Secret firstCurrent = loginRole(first);
        Secret secondCurrent = loginRole(second);
        try (PostgresAdminPool pool = new PostgresAdminPool(settings(PG).singleUser(first).poolSize(1).build(), adminCredentials())) {
            PostgresPasswordRotator a = new PostgresPasswordRotator(settings(PG).singleUser(first).build(), pool);
            PostgresPasswordRotator b = new PostgresPasswordRotator(settings(PG).singleUser(second).build(), pool);
            for (var pair : List.of(Map.entry(a, firstCurrent), Map.entry(b, secondCurrent))) {
                RotationContext ctx = context();
                Secret pending = secret("v2", Stage.PENDING, pair.getKey().create(ctx, pair.getValue()));
                pair.getKey().preflight(ctx, pair.getValue());
                pair.getKey().apply(ctx, pair.getValue(), pending);
                pair.getKey().verify(ctx, pending);
                assertThat(PG.canLogin(field(pending.value(), "username"), field(pending.value(), "password"))).isTrue();
            }
            a.close();
            // closing a rotator leaves the shared pool to the others
            b.preflight(context(), null);
            assertThatThrownBy(() -> new PostgresPasswordRotator(settings(PG).database("other").singleUser(first).build(), pool))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not serve 127.0.0.1:" + PG.port() + "/other");
        }
    }

    // ------------------------------------------------------------ alternating

    private PostgresRotatorSettings altSettings(String a, String b, String group) {
        return settings(PG).alternating(a, b).groupRole(group).build();
    }

    @Test
    void rotatesTheIdleRoleAndTheCurrentOneKeepsWorkingUntilRetire() {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String a = newRole("app_a");
        String b = newRole("app_b");
        Secret current = loginRole(a, group);
        PG.admin("CREATE ROLE " + b + " NOLOGIN IN ROLE " + group);
        PostgresPasswordRotator r = rotator(altSettings(a, b, group));
        RotationContext ctx = context();

        r.preflight(ctx, current);
        SecretValue next = r.create(ctx, current);
        assertThat(field(next, "username")).isEqualTo(b);
        Secret pending = secret("v2", Stage.PENDING, next);
        r.apply(ctx, current, pending);
        r.verify(ctx, pending);

        assertThat(PG.canLogin(b, field(next, "password"))).isTrue();
        assertThat(PG.canLogin(a, field(current.value(), "password"))).as("previous still valid").isTrue();

        r.retire(ctx, secret("v1", Stage.PREVIOUS, current.value()), secret("v2", Stage.CURRENT, next));
        r.retire(ctx, secret("v1", Stage.PREVIOUS, current.value()), secret("v2", Stage.CURRENT, next));

        assertThat(PG.canLogin(a, field(current.value(), "password"))).isFalse();
        assertThat(PG.canLoginAttribute(a)).isFalse();
        assertThat(PG.canLogin(b, field(next, "password"))).isTrue();
    }

    @Test
    void theNextRotationSwitchesBackAndReenablesTheRetiredRole() {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String a = newRole("app_a");
        String b = newRole("app_b");
        Secret v1 = loginRole(a, group);
        PG.admin("CREATE ROLE " + b + " NOLOGIN IN ROLE " + group);
        PostgresPasswordRotator r = rotator(altSettings(a, b, group));

        RotationContext first = context();
        Secret v2 = secret("v2", Stage.PENDING, r.create(first, v1));
        r.apply(first, v1, v2);
        r.verify(first, v2);
        r.retire(first, v1, v2);

        RotationContext second = context();
        r.preflight(second, v2);
        Secret v3 = secret("v3", Stage.PENDING, r.create(second, v2));
        assertThat(field(v3.value(), "username")).isEqualTo(a);
        r.apply(second, v2, v3);
        r.verify(second, v3);

        assertThat(PG.canLogin(a, field(v3.value(), "password"))).isTrue();
        assertThat(PG.canLogin(b, field(v2.value(), "password"))).isTrue();
        assertThat(PG.canLogin(a, field(v1.value(), "password"))).isFalse();
    }

    @Test
    void rollbackLocksThePendingRoleOutAndLeavesTheCurrentOneAlone() {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String a = newRole("app_a");
        String b = newRole("app_b");
        Secret current = loginRole(a, group);
        PG.admin("CREATE ROLE " + b + " NOLOGIN IN ROLE " + group);
        PostgresPasswordRotator r = rotator(altSettings(a, b, group));
        RotationContext ctx = context();
        Secret pending = secret("v2", Stage.PENDING, r.create(ctx, current));
        r.apply(ctx, current, pending);
        String currentVerifier = PG.verifier(a);

        r.rollback(ctx, current, pending);
        r.rollback(ctx, current, pending);

        assertThat(PG.canLogin(b, field(pending.value(), "password"))).isFalse();
        assertThat(PG.canLoginAttribute(b)).isFalse();
        assertThat(PG.verifier(a)).isEqualTo(currentVerifier);
        assertThat(PG.canLogin(a, field(current.value(), "password"))).isTrue();
    }

    @Test
    void applyRefusesToChangeTheRoleTheCurrentCredentialUses() {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String a = newRole("app_a");
        String b = newRole("app_b");
        Secret current = loginRole(a, group);
        PG.admin("CREATE ROLE " + b + " NOLOGIN IN ROLE " + group);
        PostgresPasswordRotator r = rotator(altSettings(a, b, group));
        Secret bogus = credential("v2", Stage.PENDING, a, leaks.canary().text(), Map.of());
        String verifier = PG.verifier(a);

        assertThatThrownBy(() -> r.apply(context(), current, bogus))
                .isInstanceOf(RotationException.class)
                .hasMessageContaining("which the current credential uses");
        assertThat(PG.verifier(a)).isEqualTo(verifier);
    }

    @Test
    void retireNeverTouchesARoleOutsideTheConfiguredPair() {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String a = newRole("app_a");
        String b = newRole("app_b");
        String stranger = newRole("stranger");
        Secret current = loginRole(a, group);
        Secret strangers = loginRole(stranger);
        PG.admin("CREATE ROLE " + b + " NOLOGIN IN ROLE " + group);
        PostgresPasswordRotator r = rotator(altSettings(a, b, group));

        assertThatThrownBy(() -> r.retire(context(), strangers, current))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.RETIRE))
                .hasMessageContaining("not among the configured roles");
        assertThat(PG.canLogin(stranger, field(strangers.value(), "password"))).isTrue();
    }

    @Test
    void verifyFailsWhenTheRoleLacksTheGroupsPrivileges() {
        String group = newRole("grp");
        PG.admin("CREATE ROLE " + group + " NOLOGIN");
        String a = newRole("app_a");
        String b = newRole("app_b");
        Secret current = loginRole(a, group);
        PG.admin("CREATE ROLE " + b + " NOLOGIN IN ROLE " + group);
        PostgresPasswordRotator r = rotator(altSettings(a, b, group));
        RotationContext ctx = context();
        Secret pending = secret("v2", Stage.PENDING, r.create(ctx, current));
        r.apply(ctx, current, pending);
        PG.admin("REVOKE " + group + " FROM " + b);

        assertThatThrownBy(() -> r.verify(ctx, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                .hasMessageContaining("lacks the privileges of group role '" + group + "'");
    }
}
