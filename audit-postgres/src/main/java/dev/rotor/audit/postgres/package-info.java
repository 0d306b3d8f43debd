/**
 * An audit sink that writes to PostgreSQL: {@link dev.rotor.audit.postgres.PostgresAuditSink},
 * hash-chained like the file sink, with group commit, scheduled pruning behind a signed anchor,
 * and {@link dev.rotor.audit.postgres.PostgresAuditSink#verify()}.
 */
@NullMarked
package dev.rotor.audit.postgres;

import org.jspecify.annotations.NullMarked;
