package dev.rotor.spring;

import dev.rotor.SecretRef;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.origin.Origin;

/**
 * What one property holding a reference became: its value, or {@code null} for an absent
 * {@code optional:} one (the property is then hidden). Never printed with its value.
 */
record ResolvedValue(SecretRef ref, @Nullable String value, Origin origin) {

    boolean absent() {
        return value == null;
    }

    @Override
    public String toString() {
        return origin + (value == null ? " (absent)" : "");
    }
}
