package dev.rotor.rotator.keycloak;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.ConfigBinder;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.spi.RotatorProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@link KeycloakClientSecretRotator}s from configuration (the fields are described by
 * {@link KeycloakRotatorSettings}):
 *
 * <pre>{@code
 * rotators:
 *   billing-oauth:
 *     type: keycloak-client-secret
 *     serverUrl: https://sso.example.com
 *     realm: apps
 *     clients: [billing, billing-b]
 *     auth:
 *       clientId: rotor
 *       secret: secret://vault/rotor/keycloak
 * }</pre>
 *
 * {@link #validate} checks the settings without any I/O to Keycloak, naming each bad field as
 * {@code rotators.<name>.<key>}; {@link #open} builds the rotator. A relative
 * {@code auth.clientSecretFile} resolves against the working directory. Stateless and thread-safe.
 */
public final class KeycloakRotatorProvider implements RotatorProvider {

    @Override
    public String type() {
        return KeycloakClientSecretRotator.TYPE;
    }

    @Override
    public List<ConfigProblem> validate(RotatorConfig config, RotatorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        KeycloakRotatorSettings s = ConfigBinder.bind(config, KeycloakRotatorSettings.class, problems);
        if (s != null) {
            problems.addAll(KeycloakClientSecretRotator.validate(s, prefix(config), context.environment(), workingDirectory()));
        }
        return problems;
    }

    @Override
    public KeycloakClientSecretRotator open(RotatorConfig config, RotatorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        KeycloakRotatorSettings s = ConfigBinder.bind(config, KeycloakRotatorSettings.class, problems);
        InvalidConfigurationException.throwIfAny(problems);
        return KeycloakClientSecretRotator.fromSettings(s, prefix(config), context.environment(), workingDirectory(), context::store,
                context.clock());
    }

    private static String prefix(RotatorConfig config) {
        return "rotators." + config.name();
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }
}
