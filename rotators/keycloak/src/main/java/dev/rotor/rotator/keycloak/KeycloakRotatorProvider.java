package dev.rotor.rotator.keycloak;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link KeycloakClientSecretRotator}s from the plain settings of a policy, as read from
 * YAML (see {@link KeycloakRotatorSettings} for the fields). {@link #validate} checks them without
 * any I/O to Keycloak; {@link #open} builds the rotator.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeycloakRotatorProvider {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public String type() {
        return KeycloakClientSecretRotator.TYPE;
    }

    /**
     * Every problem with {@code settings}, each naming its field as {@code prefix + "." + key}
     * (for example {@code policies.billing.settings.serverUrl}); empty if they are valid.
     *
     * @param environment where {@code auth.clientSecretEnv} is looked up
     * @param baseDirectory what a relative {@code auth.clientSecretFile} is resolved against
     */
    public List<ConfigProblem> validate(String prefix, Map<String, ?> settings, Function<String, @Nullable String> environment,
            Path baseDirectory) {
        List<ConfigProblem> problems = new ArrayList<>();
        KeycloakRotatorSettings s = bind(prefix, settings, problems);
        if (s != null) {
            problems.addAll(KeycloakClientSecretRotator.validate(s, prefix, environment, baseDirectory));
        }
        return problems;
    }

    /**
     * A rotator for {@code settings}.
     *
     * @param stores the configured stores by name, for {@code auth.secret} (null for an unknown name)
     * @throws InvalidConfigurationException listing every problem
     */
    public KeycloakClientSecretRotator open(String prefix, Map<String, ?> settings, Function<String, @Nullable String> environment,
            Path baseDirectory, Function<String, @Nullable SecretStore> stores, Clock clock) {
        List<ConfigProblem> problems = new ArrayList<>();
        KeycloakRotatorSettings s = bind(prefix, settings, problems);
        InvalidConfigurationException.throwIfAny(problems);
        return KeycloakClientSecretRotator.fromSettings(s, prefix, environment, baseDirectory, stores, clock);
    }

    private static @Nullable KeycloakRotatorSettings bind(String prefix, Map<String, ?> settings, List<ConfigProblem> problems) {
        try {
            return MAPPER.convertValue(settings, KeycloakRotatorSettings.class);
        } catch (IllegalArgumentException e) {
            problems.add(problemOf(prefix, e));
            return null;
        }
    }

    private static ConfigProblem problemOf(String prefix, IllegalArgumentException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            return new ConfigProblem(field(prefix, path(u)), "unknown setting (known: " + known + ")");
        }
        if (cause instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return new ConfigProblem(field(prefix, path(m)), "has the wrong type or format");
        }
        // settings are not secrets, but the parser's text is long and says little: keep it out
        return new ConfigProblem(prefix, "settings could not be read");
    }

    private static String path(JsonMappingException m) {
        return m.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String field(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
