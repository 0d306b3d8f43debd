package dev.rotor.rotator.postgres;

import dev.rotor.SecretValue;
import dev.rotor.testkit.peer.EmbeddedPostgresPeer;
import java.time.Duration;

/** The rotator's settings and admin login for a test's {@link EmbeddedPostgresPeer}. */
final class PostgresTestSettings {

    private PostgresTestSettings() {}

    /** Settings pointing at {@code pg}'s {@code postgres} database, with a short connect timeout. */
    static PostgresRotatorSettings.Builder settings(EmbeddedPostgresPeer pg) {
        return PostgresRotatorSettings.builder()
                .host(pg.host())
                .port(pg.port())
                .database("postgres")
                .connectTimeout(Duration.ofSeconds(2));
    }

    /** The peer's superuser. */
    static AdminCredentials adminCredentials() {
        return AdminCredentials.of(EmbeddedPostgresPeer.ADMIN, SecretValue.ofUtf8(EmbeddedPostgresPeer.ADMIN_PASSWORD));
    }
}
