/**
 * What the SQL password rotators (PostgreSQL, MariaDB/MySQL) have in common: reading their
 * settings maps ({@link dev.rotor.rotator.sql.SettingsReader}), the public face of their providers
 * ({@link dev.rotor.rotator.sql.SqlRotatorProvider}), strategy names
 * ({@link dev.rotor.rotator.sql.NamedStrategy}), the credential secret's JSON
 * ({@link dev.rotor.rotator.sql.LoginJson}), the admin connection pool's settings
 * ({@link dev.rotor.rotator.sql.AdminPools}) and random passwords
 * ({@link dev.rotor.rotator.sql.RandomPasswords}). What depends on the database (SQL, quoting,
 * wording of messages) stays in each rotator's module.
 */
@NullMarked
package dev.rotor.rotator.sql;

import org.jspecify.annotations.NullMarked;
