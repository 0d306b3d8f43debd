package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import org.junit.jupiter.api.Test;

/** Single-user rotation, step by step, against a real MariaDB server. */
class SingleUserIT extends MariaDbTestSupport {

    @Test
    void aFullRotationChangesThePasswordInPlace() {
        String user = account(uniqueUser("single"), "Old-password-1", "SELECT ON mysql.db");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        RotationContext ctx = context();
        Secret current = current(user, "Old-password-1");

        rotator.preflight(ctx, current);
        Secret pending = pendingOf(rotator.create(ctx, current));
        assertThat(username(pending)).isEqualTo(user);
        assertThat(server().canLogIn(user, password(pending))).as("nothing applied yet").isFalse();

        rotator.apply(ctx, current, pending);
        assertThat(server().canLogIn(user, password(pending))).isTrue();
        assertThat(server().canLogIn(user, "Old-password-1")).as("single-user: the old password stops at APPLY").isFalse();

        rotator.verify(ctx, pending);
        rotator.retire(ctx, current, pending);
        assertThat(server().canLogIn(user, password(pending))).isTrue();
        assertThat(server().canLogIn(user, "Old-password-1")).isFalse();
    }

    @Test
    void everyStepCanRunTwice() {
        String user = account(uniqueUser("single"), "Old-password-2");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        RotationContext ctx = context();
        Secret current = current(user, "Old-password-2");
        Secret pending = pendingOf(rotator.create(ctx, current));

        rotator.preflight(ctx, current);
        rotator.preflight(ctx, current);
        rotator.apply(ctx, current, pending);
        rotator.apply(ctx, current, pending);
        rotator.verify(ctx, pending);
        rotator.verify(ctx, pending);
        rotator.retire(ctx, current, pending);
        rotator.retire(ctx, current, pending);

        assertThat(server().canLogIn(user, password(pending))).isTrue();
        assertThat(server().canLogIn(user, "Old-password-2")).isFalse();
    }

    @Test
    void preflightChangesNothing() {
        String user = account(uniqueUser("single"), "Old-password-3");
        String before = server().authenticationString(user);
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));

        rotator.preflight(context(), current(user, "Old-password-3"));

        assertThat(server().authenticationString(user)).isEqualTo(before);
        assertThat(server().canLogIn(user, "Old-password-3")).isTrue();
    }

    @Test
    void rollbackBringsTheCurrentPasswordBack() {
        String user = account(uniqueUser("single"), "Old-password-4");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        RotationContext ctx = context();
        Secret current = current(user, "Old-password-4");
        Secret pending = pendingOf(rotator.create(ctx, current));
        rotator.apply(ctx, current, pending);

        rotator.rollback(ctx, current, pending);
        rotator.rollback(ctx, current, pending);

        assertThat(server().canLogIn(user, "Old-password-4")).isTrue();
        assertThat(server().canLogIn(user, password(pending))).isFalse();
    }

    @Test
    void theFirstRotationWithoutCurrentTakesTheConfiguredAccount() {
        String user = account(uniqueUser("single"), "Unknown-to-rotor-5");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER).username(user));
        RotationContext ctx = context();

        rotator.preflight(ctx, null);
        Secret pending = pendingOf(rotator.create(ctx, null));
        rotator.apply(ctx, null, pending);
        rotator.verify(ctx, pending);
        assertThat(server().canLogIn(user, password(pending))).isTrue();

        // With no CURRENT to go back to, a rollback leaves a password nobody knows.
        rotator.rollback(ctx, null, pending);
        assertThat(server().canLogIn(user, password(pending))).isFalse();
        assertThat(server().canLogIn(user, "Unknown-to-rotor-5")).isFalse();
    }

    @Test
    void verifyFailsForAPasswordThatWasNotApplied() {
        String user = account(uniqueUser("single"), "Old-password-6");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));

        assertThatThrownBy(() -> rotator.verify(context(), pending(user, "Never-applied-6")))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                .hasMessageContaining("the new password of '" + user + "'@'%' was refused at login (SQLState 28000, error 1045)");
        assertThat(server().canLogIn(user, "Old-password-6")).isTrue();
    }

    @Test
    void verifyRunsTheVerifyQueryAsTheNewCredential() {
        String user = account(uniqueUser("single"), "Old-password-7");
        MariaDbPasswordRotator strict = rotator(settings(Strategy.SINGLE_USER).verifyQuery("SELECT COUNT(*) FROM mysql.db"));
        RotationContext ctx = context();
        Secret current = current(user, "Old-password-7");
        Secret pending = pendingOf(strict.create(ctx, current));
        strict.apply(ctx, current, pending);

        // The account may log in but has no privilege on mysql.db: the query proves it.
        assertThatThrownBy(() -> strict.verify(ctx, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.VERIFY))
                .hasMessageContaining("the verify query failed when run as '" + user + "'@'%' (SQLState 42000, error 1142)");

        server().exec("GRANT SELECT ON mysql.db TO " + new Account(user, "%").sql(false));
        strict.verify(ctx, pending);
    }

    @Test
    void applyingToAnAccountDroppedAfterPreflightFailsClearly() {
        String user = account(uniqueUser("single"), "Old-password-8");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.SINGLE_USER));
        RotationContext ctx = context();
        Secret current = current(user, "Old-password-8");
        rotator.preflight(ctx, current);
        Secret pending = pendingOf(rotator.create(ctx, current));
        server().dropAccount(user);

        assertThatThrownBy(() -> rotator.apply(ctx, current, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.APPLY);
                    assertThat(e.getCause()).hasMessageContaining("the server's message is withheld").hasNoCause();
                })
                .hasMessageContaining("cannot set the new password of '" + user + "'@'%': the account does not exist (SQLState HY000, error 1396)");
    }
}
