package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import dev.rotor.testkit.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alternating users, step by step, against a real MariaDB server: two accounts sharing a role. */
class AlternatingUsersIT extends MariaDbTestSupport {

    private String role;
    private String blue;
    private String green;

    @BeforeEach
    void twoAccountsSharingARole() {
        role = uniqueUser("app_role");
        server().exec("CREATE ROLE " + role, "GRANT SELECT ON mysql.db TO " + role);
        blue = account(uniqueUser("blue"), "Blue-password-0", role);
        green = account(uniqueUser("green"), "Green-password-0", role);
        server().exec("SET DEFAULT ROLE " + role + " FOR '" + blue + "'@'%'", "SET DEFAULT ROLE " + role + " FOR '" + green + "'@'%'");
    }

    @org.junit.jupiter.api.AfterEach
    void dropRole() {
        server().exec("DROP ROLE IF EXISTS " + role);
    }

    private MariaDbPasswordRotator rotator() {
        return rotator(settings(Strategy.ALTERNATING_USERS).users(blue, green).verifyQuery("SELECT COUNT(*) FROM mysql.db"));
    }

    /** One rotation through all steps, as the engine would run it; returns the new CURRENT. */
    private Secret rotate(MariaDbPasswordRotator rotator, Secret current, RotationContext ctx) {
        rotator.preflight(ctx, current);
        Secret pending = pendingOf(rotator.create(ctx, current));
        rotator.apply(ctx, current, pending);
        rotator.verify(ctx, pending);
        rotator.retire(ctx, current, pending);
        return pending;
    }

    @Test
    void eachRotationChangesTheIdleAccountAndPreviousStaysValidUntilTheNext() {
        MariaDbPasswordRotator rotator = rotator();
        Secret current = current(blue, "Blue-password-0");

        Secret first = rotate(rotator, current, context());
        assertThat(username(first)).isEqualTo(green);
        assertThat(server().canLogIn(green, password(first))).isTrue();
        assertThat(server().canLogIn(blue, "Blue-password-0")).as("PREVIOUS still works after RETIRE").isTrue();

        Secret second = rotate(rotator, first, context());
        assertThat(username(second)).isEqualTo(blue);
        assertThat(server().canLogIn(blue, password(second))).isTrue();
        assertThat(server().canLogIn(green, password(first))).as("PREVIOUS still works").isTrue();
        assertThat(server().canLogIn(blue, "Blue-password-0")).as("the one before is gone").isFalse();

        Secret third = rotate(rotator, second, context());
        assertThat(username(third)).isEqualTo(green);
        assertThat(server().canLogIn(green, password(third))).isTrue();
        assertThat(server().canLogIn(blue, password(second))).as("PREVIOUS still works").isTrue();
        assertThat(server().canLogIn(green, password(first))).isFalse();
    }

    @Test
    void applyNeverTouchesTheActiveAccount() {
        MariaDbPasswordRotator rotator = rotator();
        RotationContext ctx = context();
        Secret current = current(blue, "Blue-password-0");
        String before = server().authenticationString(blue);
        Secret pending = pendingOf(rotator.create(ctx, current));

        rotator.apply(ctx, current, pending);
        rotator.apply(ctx, current, pending);

        assertThat(server().authenticationString(blue)).isEqualTo(before);
        assertThat(server().canLogIn(blue, "Blue-password-0")).isTrue();
        assertThat(server().canLogIn(green, password(pending))).isTrue();
    }

    @Test
    void rollbackLeavesTheIdleAccountWithAPasswordNobodyKnows() {
        MariaDbPasswordRotator rotator = rotator();
        RotationContext ctx = context();
        Secret current = current(blue, "Blue-password-0");
        Secret pending = pendingOf(rotator.create(ctx, current));
        rotator.apply(ctx, current, pending);

        rotator.rollback(ctx, current, pending);
        rotator.rollback(ctx, current, pending);

        assertThat(server().canLogIn(green, password(pending))).isFalse();
        assertThat(server().canLogIn(green, "Green-password-0")).isFalse();
        assertThat(server().canLogIn(blue, "Blue-password-0")).as("CURRENT untouched").isTrue();
    }

    @Test
    void anEmergencyRetireRevokesThePreviousAccountAndEndsItsSessions() throws Exception {
        MariaDbPasswordRotator rotator = rotator();
        RotationContext ctx = emergency();
        Secret current = current(blue, "Blue-password-0");
        try (Connection leaked = server().logIn(blue, "Blue-password-0")) {
            rotator.preflight(ctx, current);
            Secret pending = pendingOf(rotator.create(ctx, current));
            rotator.apply(ctx, current, pending);
            rotator.verify(ctx, pending);

            rotator.retire(ctx, current, pending);
            rotator.retire(ctx, current, pending);

            assertThat(server().canLogIn(blue, "Blue-password-0")).as("PREVIOUS revoked at once").isFalse();
            assertThat(server().canLogIn(green, password(pending))).as("CURRENT works").isTrue();
            // The server ends a killed session asynchronously.
            Await.that("the open session of the previous account to end").until(Duration.ofSeconds(10), () -> sessionEnded(leaked));
        }
    }

    @Test
    void aSecretNamingNeitherAccountIsRefusedAtPrepare() {
        MariaDbPasswordRotator rotator = rotator();
        assertThatThrownBy(() -> rotator.preflight(context(), current("mallory", "x")))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining("is neither of the alternating users");
    }

    @Test
    void preflightChecksBothAccounts() {
        server().dropAccount(green);
        MariaDbPasswordRotator rotator = rotator();
        assertThatThrownBy(() -> rotator.preflight(context(), current(blue, "Blue-password-0")))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining("account '" + green + "'@'%' does not exist");
    }

    /** Whether the server has ended the session {@code c} is on. */
    private static boolean sessionEnded(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return false;
        } catch (SQLException e) {
            return true;
        }
    }
}
