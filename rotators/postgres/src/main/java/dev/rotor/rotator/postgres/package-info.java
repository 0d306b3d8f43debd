/**
 * Rotation of PostgreSQL login passwords: {@link dev.rotor.rotator.postgres.PostgresPasswordRotator}
 * with the single-user and alternating-users strategies. New passwords reach the server only as
 * SCRAM-SHA-256 verifiers computed on the client, so the plaintext is never in any SQL text the
 * server could log.
 */
@NullMarked
package dev.rotor.rotator.postgres;

import org.jspecify.annotations.NullMarked;
