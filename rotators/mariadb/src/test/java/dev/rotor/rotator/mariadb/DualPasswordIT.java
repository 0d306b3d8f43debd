package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.Secret;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import org.junit.jupiter.api.Test;

/**
 * Dual passwords ({@code RETAIN CURRENT PASSWORD}) are MySQL 8.0.14+ only. Against MariaDB the
 * strategy must be refused at PREPARE, before anything changes, with a message that says why.
 */
class DualPasswordIT extends MariaDbTestSupport {

    @Test
    void mariaDbIsRefusedAtPrepareAndNothingChanges() {
        String user = account(uniqueUser("dual"), "Dual-password-0");
        String before = server().authenticationString(user);
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.DUAL_PASSWORD));
        Secret current = current(user, "Dual-password-0");

        assertThatThrownBy(() -> rotator.preflight(context(), current))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.PREPARE))
                .hasMessageContaining("strategy dual-password is not possible: MariaDB (11.4.5-MariaDB")
                .hasMessageContaining("has no dual passwords (RETAIN CURRENT PASSWORD is MySQL 8.0.14+ only); use single-user or alternating-users");

        assertThat(server().authenticationString(user)).isEqualTo(before);
        assertThat(server().canLogIn(user, "Dual-password-0")).isTrue();
    }

    @Test
    void applyAndRetireRefuseToo() {
        String user = account(uniqueUser("dual"), "Dual-password-1");
        MariaDbPasswordRotator rotator = rotator(settings(Strategy.DUAL_PASSWORD));
        Secret current = current(user, "Dual-password-1");
        Secret pending = pendingOf(rotator.create(context(), current));

        assertThatThrownBy(() -> rotator.apply(context(), current, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.APPLY))
                .hasMessageContaining("has no dual passwords");
        assertThatThrownBy(() -> rotator.retire(context(), current, pending))
                .isInstanceOfSatisfying(RotationException.class, e -> assertThat(e.step()).isEqualTo(Step.RETIRE))
                .hasMessageContaining("has no dual passwords");
        assertThat(server().canLogIn(user, "Dual-password-1")).isTrue();
    }

    @Test
    void theServerItselfDoesNotKnowTheSyntax() {
        // The detection is by version; this shows the version rule matches the server.
        String user = account(uniqueUser("dual"), "Dual-password-2");
        assertThatThrownBy(() -> server().exec("ALTER USER '" + user + "'@'%' IDENTIFIED BY 'x' RETAIN CURRENT PASSWORD"))
                .hasRootCauseInstanceOf(java.sql.SQLSyntaxErrorException.class);
        assertThat(server().canLogIn(user, "Dual-password-2")).isTrue();
    }
}
