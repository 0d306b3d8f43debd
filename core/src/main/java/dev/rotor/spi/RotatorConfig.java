package dev.rotor.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of one named rotator (for example under {@code rotators.<name>} in a policy
 * file): its type and the rotator's own settings, as plain data. Providers bind the settings to
 * a typed record with {@link ConfigBinder#bind(RotatorConfig, Class, java.util.List)}.
 */
public record RotatorConfig(String name, String type, Map<String, Object> settings) {

    public RotatorConfig {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("invalid rotator name '" + name + "': 1 to 63 of A-Z a-z 0-9 . _ -, not starting with . _ -");
        }
        Objects.requireNonNull(type, "type");
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** The path of a setting for error messages: {@code rotators.<name>.<key>}. */
    public String fieldPath(String key) {
        return "rotators." + name + "." + key;
    }
}
