package dev.rotor.rotator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class PgErrorsTest {

    @Test
    void theMostSpecificStateInTheChainWins() {
        SQLException driver = new SQLException("FATAL: password authentication failed", "28P01");
        SQLException pool = new SQLTransientConnectionException("pool timed out", "08001", driver);

        assertThat(PgErrors.sqlState(pool)).isEqualTo("28P01");
        assertThat(PgErrors.isLoginRefused(pool)).isTrue();
        assertThat(PgErrors.describe(pool)).isEqualTo("password authentication failed (SQLSTATE 28P01)");
    }

    @Test
    void descriptionsComeFromTheStateNotFromTheServersText() {
        SQLException e = new SQLException("syntax error at or near \"'SCRAM-SHA-256$4096:...'\"", "42601");

        RotationException r = PgErrors.withoutCause(Step.APPLY, "cannot set the password of role 'app'", e);

        assertThat(r.getMessage()).isEqualTo("APPLY: cannot set the password of role 'app': the server answered with an error (SQLSTATE 42601)");
        assertThat(r.getCause()).isNull();
        assertThat(PgErrors.of(Step.PREPARE, "x", e).getCause()).isSameAs(e);
    }

    @Test
    void connectionClassStatesReadAsConnectionFailures() {
        assertThat(PgErrors.describe(new SQLException("refused", "08001"))).isEqualTo("cannot connect to the server (SQLSTATE 08001)");
        assertThat(PgErrors.describe(new SQLException("no state"))).isEqualTo("the database driver failed without an SQLSTATE (SQLSTATE none)");
        assertThat(PgErrors.describe(new SQLException("x", "42501"))).isEqualTo("insufficient privilege (SQLSTATE 42501)");
    }
}
