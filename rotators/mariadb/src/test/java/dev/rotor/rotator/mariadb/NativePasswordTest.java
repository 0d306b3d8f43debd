package dev.rotor.rotator.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativePasswordTest {

    @Test
    void matchesTheServersPasswordFunction() {
        // SELECT PASSWORD('password') on MariaDB 11.4 and MySQL 5.7 (mysql_native_password)
        assertThat(NativePassword.hash("password")).isEqualTo("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    }

    @Test
    void hashesTheUtf8Bytes() {
        assertThat(NativePassword.hash("pässwörd")).startsWith("*").hasSize(41).isNotEqualTo(NativePassword.hash("passwoerd"));
        assertThat(NativePassword.hash("x")).matches("\\*[0-9A-F]{40}");
    }
}
