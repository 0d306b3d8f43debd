package dev.rotor.spi;

import dev.rotor.SecretRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of one named store, as written under {@code stores.<name>} in
 * {@code rotor.yaml}: its provider type and the provider's own settings. Settings are plain
 * data (strings, numbers, booleans, lists, maps); providers bind them to a typed record with
 * {@link ConfigBinder}.
 */
public record StoreConfig(String name, String type, Map<String, Object> settings) {

    public StoreConfig {
        SecretRef.checkStoreName(name);
        Objects.requireNonNull(type, "type");
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** The path of a setting for error messages: {@code stores.<name>.<key>}. */
    public String fieldPath(String key) {
        return "stores." + name + "." + key;
    }
}
