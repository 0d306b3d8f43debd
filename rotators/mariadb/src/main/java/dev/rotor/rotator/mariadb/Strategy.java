package dev.rotor.rotator.mariadb;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.rotor.rotator.sql.NamedStrategy;

/** How a password rotation keeps clients working while the password changes. */
public enum Strategy implements NamedStrategy {
    /**
     * {@code ALTER USER … IDENTIFIED BY …} on the one account: the old password stops working at
     * APPLY, so clients that open a connection between APPLY and PROMOTE must retry once with the
     * PENDING credential. PREVIOUS is invalid as soon as the rotation has applied.
     */
    SINGLE_USER,
    /**
     * Two accounts with the same privileges (granted directly or through a shared role); each
     * rotation sets a new password on the idle one and the secret's username switches to it.
     * PREVIOUS (the other account) keeps working until the next rotation changes it; an
     * emergency RETIRE revokes it at once.
     */
    ALTERNATING_USERS,
    /**
     * MySQL 8.0.14+ only: {@code RETAIN CURRENT PASSWORD} keeps the old password valid beside the
     * new one until RETIRE runs {@code DISCARD OLD PASSWORD}. MariaDB has no dual passwords; a
     * rotation with this strategy against MariaDB fails at PREPARE.
     */
    DUAL_PASSWORD;

    /** The name used in policies, e.g. {@code alternating-users}. */
    @JsonValue
    @Override
    public String id() {
        return NamedStrategy.super.id();
    }

    /** @throws IllegalArgumentException naming the known strategies */
    @JsonCreator
    public static Strategy fromId(String id) {
        return NamedStrategy.find(Strategy.class, id, id);
    }

    static String known() {
        return NamedStrategy.known(Strategy.class);
    }

    @Override
    public String toString() {
        return id();
    }
}
