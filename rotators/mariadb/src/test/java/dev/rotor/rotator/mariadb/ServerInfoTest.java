package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerInfoTest {

    @ParameterizedTest
    @CsvSource({
        "11.4.5-MariaDB, MariaDB Server, MARIADB, 11, 4, 5",
        "10.11.6-MariaDB-0+deb12u1-log, Debian 12, MARIADB, 10, 11, 6",
        "5.5.5-10.6.12-MariaDB, mariadb.org binary distribution, MARIADB, 10, 6, 12",
        "8.0.36, MySQL Community Server - GPL, MYSQL, 8, 0, 36",
        "8.4.0-commercial, MySQL Enterprise Server - Commercial, MYSQL, 8, 4, 0",
        "8.0.35-27, 'Percona Server (GPL), Release 27', MYSQL, 8, 0, 35",
        "5.7.44-log, MySQL Community Server (GPL), MYSQL, 5, 7, 44",
    })
    void readsKindAndVersion(String version, String comment, ServerInfo.Kind kind, int major, int minor, int patch) {
        ServerInfo info = ServerInfo.parse(version, comment, false);
        assertThat(info.kind()).isEqualTo(kind);
        assertThat(info.major()).isEqualTo(major);
        assertThat(info.minor()).isEqualTo(minor);
        assertThat(info.patch()).isEqualTo(patch);
    }

    @Test
    void aMariaDbVersionCommentIsEnoughToTellMariaDb() {
        assertThat(ServerInfo.parse("10.5.8", "MariaDB Server", false).kind()).isEqualTo(ServerInfo.Kind.MARIADB);
    }

    @ParameterizedTest
    @CsvSource({
        "8.0.14, true",
        "8.0.13, false",
        "8.0.36, true",
        "8.1.0, true",
        "8.4.2, true",
        "9.1.0, true",
        "5.7.44, false",
        "8.0.mysql_aurora.3.04.0, false",
    })
    void dualPasswordsCameWithMySql8014(String version, boolean supported) {
        assertThat(ServerInfo.parse(version, "MySQL Community Server - GPL", false).supportsDualPassword()).isEqualTo(supported);
    }

    @Test
    void mariaDbHasNoDualPasswordsInAnyVersion() {
        ServerInfo info = ServerInfo.parse("11.4.5-MariaDB", "MariaDB Server", false);
        assertThat(info.supportsDualPassword()).isFalse();
        assertThat(info.whyNoDualPassword()).contains("MariaDB (11.4.5-MariaDB) has no dual passwords");
    }

    @Test
    void explainsAnOldOrUnreadableMySqlVersion() {
        assertThat(ServerInfo.parse("8.0.13", null, false).whyNoDualPassword()).contains("MySQL 8.0.13 has no dual passwords");
        assertThat(ServerInfo.parse("8.0.mysql_aurora.3.04.0", null, false).whyNoDualPassword()).contains("cannot tell");
    }

    @Test
    void mariaDbTakesTheHashUnlessItValidatesPasswords() {
        assertThat(ServerInfo.parse("11.4.5-MariaDB", null, false).acceptsNativeHash()).isTrue();
        assertThat(ServerInfo.parse("11.4.5-MariaDB", null, true).acceptsNativeHash()).isFalse();
        // MySQL always gets the password itself, so that the account keeps its own plugin.
        assertThat(ServerInfo.parse("8.0.36", null, false).acceptsNativeHash()).isFalse();
        assertThat(ServerInfo.parse("8.0.36", null, true).validatesPasswords()).isFalse();
    }
}
