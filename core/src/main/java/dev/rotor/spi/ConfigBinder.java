package dev.rotor.spi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rotor.ConfigProblem;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Binds a store's or a rotator's settings map to a typed options record, naming bad fields. */
public final class ConfigBinder {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);

    private ConfigBinder() {}

    /** The bound options, or {@code null} after adding a problem to {@code problems}. */
    public static <T> T bind(StoreConfig config, Class<T> type, List<ConfigProblem> problems) {
        return bind(config.settings(), "stores." + config.name(), type, problems);
    }

    /** A rotator's bound settings, or {@code null} after adding a problem (fields named {@code rotators.<name>.<key>}). */
    public static <T> T bind(RotatorConfig config, Class<T> type, List<ConfigProblem> problems) {
        return bind(config.settings(), "rotators." + config.name(), type, problems);
    }

    private static <T> T bind(Map<String, Object> settings, String prefix, Class<T> type, List<ConfigProblem> problems) {
        try {
            return MAPPER.convertValue(settings, type);
        } catch (IllegalArgumentException e) {
            problems.add(problemOf(prefix, e));
            return null;
        }
    }

    private static String fieldOf(JsonMappingException m) {
        return m.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static ConfigProblem problemOf(String prefix, IllegalArgumentException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            // The path names a nested setting in full (auth.metod), not just its last part.
            String field = u.getPath().isEmpty() ? u.getPropertyName() : fieldOf(u);
            return new ConfigProblem(prefix + "." + field, "unknown setting (known: " + known + ")");
        }
        if (cause instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return new ConfigProblem(prefix + "." + fieldOf(m), "has the wrong type or format");
        }
        // Settings are configuration, not secrets, but keep the message short and generic.
        return new ConfigProblem(prefix, "settings could not be read");
    }
}
