package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementsTest {

    private static final ServerInfo MARIADB = ServerInfo.parse("11.4.5-MariaDB", "MariaDB Server", false);
    private static final ServerInfo MARIADB_VALIDATING = ServerInfo.parse("11.4.5-MariaDB", "MariaDB Server", true);
    private static final ServerInfo MYSQL = ServerInfo.parse("8.0.36", "MySQL Community Server - GPL", false);
    private static final Account APP = new Account("app", "%");

    @Test
    void mariaDbGetsTheHashAsAParameter() {
        Statements.CredentialStatement st = Statements.setPassword(MARIADB, APP, "password", false);
        assertThat(st.sql()).isEqualTo("ALTER USER 'app'@'%' IDENTIFIED BY PASSWORD ?");
        assertThat(st.credential()).isEqualTo("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
        assertThat(st.toString()).doesNotContain("*2470C0");
    }

    @Test
    void aValidatingMariaDbAndMySqlGetThePasswordAsAParameter() {
        assertThat(Statements.setPassword(MARIADB_VALIDATING, APP, "Pa-ss", false))
                .isEqualTo(new Statements.CredentialStatement("ALTER USER 'app'@'%' IDENTIFIED BY ?", "Pa-ss"));
        assertThat(Statements.setPassword(MYSQL, APP, "Pa-ss", false))
                .isEqualTo(new Statements.CredentialStatement("ALTER USER 'app'@'%' IDENTIFIED BY ?", "Pa-ss"));
        assertThat(Statements.setPassword(MYSQL, APP, "Pa-ss", false).toString()).doesNotContain("Pa-ss");
    }

    @Test
    void dualPasswordStatements() {
        assertThat(Statements.setPasswordRetainingCurrent(APP, "Pa-ss", false))
                .isEqualTo(new Statements.CredentialStatement("ALTER USER 'app'@'%' IDENTIFIED BY ? RETAIN CURRENT PASSWORD", "Pa-ss"));
        assertThat(Statements.discardOldPassword(APP, false)).isEqualTo("ALTER USER 'app'@'%' DISCARD OLD PASSWORD");
    }

    @Test
    void accountNamesAreQuotedForTheSqlMode() {
        Account odd = new Account("o'b\\x", "10.0.%");
        assertThat(Statements.probe(odd, false)).isEqualTo("ALTER USER 'o''b\\\\x'@'10.0.%'");
        assertThat(Statements.probe(odd, true)).isEqualTo("ALTER USER 'o''b\\x'@'10.0.%'");
    }

    @Test
    void killTakesTheNumericSessionId() {
        assertThat(Statements.kill(42)).isEqualTo("KILL CONNECTION 42");
    }
}
