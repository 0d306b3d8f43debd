package dev.rotor.hikari;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens one physical connection with the given user name and password. Thread-safe. */
@FunctionalInterface
interface ConnectionFactory {

    Connection connect(String username, String password) throws SQLException;
}
