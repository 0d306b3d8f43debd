/**
 * The MariaDB/MySQL password rotator: {@link dev.rotor.rotator.mariadb.MariaDbPasswordRotator}
 * changes a database account's password in place (single-user), on the idle one of two accounts
 * (alternating users), or with MySQL's dual passwords, and proves the new password by logging in.
 */
@NullMarked
package dev.rotor.rotator.mariadb;

import org.jspecify.annotations.NullMarked;
