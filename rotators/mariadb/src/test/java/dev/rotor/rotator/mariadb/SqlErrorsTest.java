package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void sortsDriverErrors() {
        assertThat(SqlErrors.kind(new SQLInvalidAuthorizationSpecException("Access denied", "28000", 1045))).isEqualTo(SqlErrors.Kind.LOGIN_REFUSED);
        assertThat(SqlErrors.kind(new SQLException("locked", "HY000", 4151))).isEqualTo(SqlErrors.Kind.LOGIN_REFUSED);
        assertThat(SqlErrors.kind(new SQLSyntaxErrorException("denied", "42000", 1227))).isEqualTo(SqlErrors.Kind.NO_PRIVILEGE);
        assertThat(SqlErrors.kind(new SQLSyntaxErrorException("denied", "42000", 1142))).isEqualTo(SqlErrors.Kind.NO_PRIVILEGE);
        assertThat(SqlErrors.kind(new SQLException("failed for", "HY000", 1396))).isEqualTo(SqlErrors.Kind.NO_SUCH_ACCOUNT);
        assertThat(SqlErrors.kind(new SQLSyntaxErrorException("near", "42000", 1064))).isEqualTo(SqlErrors.Kind.SYNTAX);
        assertThat(SqlErrors.kind(new SQLNonTransientConnectionException("Socket fail to connect", "08000", 0)))
                .isEqualTo(SqlErrors.Kind.UNREACHABLE);
        assertThat(SqlErrors.kind(new SQLException("other", "HY000", 1290))).isEqualTo(SqlErrors.Kind.OTHER);
    }

    @Test
    void looksThroughThePoolsWrapper() {
        SQLException driver = new SQLInvalidAuthorizationSpecException("Access denied", "28000", 1045);
        SQLException pool = new SQLTransientConnectionException("pool - Connection is not available", "28000", driver);
        assertThat(SqlErrors.kind(pool)).isEqualTo(SqlErrors.Kind.LOGIN_REFUSED);
        assertThat(SqlErrors.codes(pool)).isEqualTo("(SQLState 28000, error 1045)");

        SQLException refused = new SQLNonTransientConnectionException("Socket fail", "08000", new ConnectException("Connection refused"));
        assertThat(SqlErrors.kind(new SQLTransientConnectionException("pool - timed out", null, refused))).isEqualTo(SqlErrors.Kind.UNREACHABLE);
    }

    @Test
    void aRedactedErrorKeepsTheCodesButNoneOfTheText() {
        SQLException original = new SQLSyntaxErrorException("You have an error near 'IDENTIFIED BY ''s3cret''", "42000", 1064,
                new RuntimeException("inner s3cret"));
        SQLException redacted = SqlErrors.redacted(original);
        assertThat(redacted.getMessage()).doesNotContain("s3cret").contains("SQLState 42000, error 1064");
        assertThat(redacted.getCause()).isNull();
        assertThat(redacted.getSQLState()).isEqualTo("42000");
        assertThat(redacted.getErrorCode()).isEqualTo(1064);
        assertThat(SqlErrors.kind(redacted)).isEqualTo(SqlErrors.Kind.SYNTAX);
    }
}
