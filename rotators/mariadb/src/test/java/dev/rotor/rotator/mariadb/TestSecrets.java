package dev.rotor.rotator.mariadb;

import dev.rotor.Secret;
import dev.rotor.SecretValue;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Secrets for calling rotator steps directly, as the engine would pass them. */
final class TestSecrets {

    static final String PATH = "db/app";

    private TestSecrets() {}

    static Secret login(String username, String password) {
        return secret(Map.of("username", username, "password", password), Stage.CURRENT);
    }

    static Secret secret(Map<String, String> fields, Stage stage) {
        return of(SecretValue.ofFields(new LinkedHashMap<>(fields)), stage);
    }

    static Secret of(SecretValue value, Stage stage) {
        return new Secret(PATH, new VersionInfo(UUID.randomUUID().toString(), Instant.parse("2026-01-01T00:00:00Z"), Set.of(stage), Map.of()), value);
    }

    /** The value as a pending secret, as the engine stores what CREATE returned. */
    static Secret pending(SecretValue value) {
        return of(value, Stage.PENDING);
    }

    static String field(Secret secret, String name) {
        return secret.value().field(name).asUtf8();
    }

    static String field(SecretValue value, String name) {
        return value.field(name).asUtf8();
    }
}
