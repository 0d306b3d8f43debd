package dev.rotor.rotator.mariadb;

import java.util.Objects;

/**
 * A database account: {@code 'user'@'host'}. Neither part is secret, so both may appear in logs
 * and messages.
 */
record Account(String user, String host) {

    Account {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
    }

    /** The account as SQL: two quoted literals joined by {@code @}. */
    String sql(boolean noBackslashEscapes) {
        return SqlLiterals.quote(user, noBackslashEscapes) + "@" + SqlLiterals.quote(host, noBackslashEscapes);
    }

    @Override
    public String toString() {
        return "'" + user + "'@'" + host + "'";
    }
}
