/**
 * HikariCP pools whose database credentials come from a secret and follow its rotation:
 * {@link dev.rotor.hikari.RotatingDataSource}.
 */
@NullMarked
package dev.rotor.hikari;

import org.jspecify.annotations.NullMarked;
