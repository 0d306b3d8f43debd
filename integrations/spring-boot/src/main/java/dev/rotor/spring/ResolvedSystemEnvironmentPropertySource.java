package dev.rotor.spring;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.env.PropertySourceInfo;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@link ResolvedPropertySource} for the process environment. It stays a
 * {@link SystemEnvironmentPropertySource} so that Boot keeps mapping
 * {@code SPRING_DATASOURCE_PASSWORD} to {@code spring.datasource.password}.
 *
 * <p>Immutable and thread-safe: the variables are copied when it is made.
 */
final class ResolvedSystemEnvironmentPropertySource extends SystemEnvironmentPropertySource
        implements OriginLookup<String>, PropertySourceInfo, RotorResolved {

    private final SystemEnvironmentPropertySource original;
    private final Map<String, ResolvedValue> resolved;

    ResolvedSystemEnvironmentPropertySource(SystemEnvironmentPropertySource original, Map<String, ResolvedValue> resolved) {
        super(original.getName(), new Variables(merge(original.getSource(), resolved)));
        this.original = original;
        this.resolved = Map.copyOf(resolved);
    }

    private static Map<String, Object> merge(Map<String, Object> variables, Map<String, ResolvedValue> resolved) {
        Map<String, Object> merged = new LinkedHashMap<>(variables);
        resolved.forEach((name, v) -> {
            if (v.absent()) {
                merged.remove(name);
            } else {
                merged.put(name, v.value());
            }
        });
        return Collections.unmodifiableMap(merged);
    }

    @Override
    public @Nullable Origin getOrigin(String name) {
        String actual = resolvePropertyName(name);
        ResolvedValue v = resolved.get(actual);
        return v != null ? v.origin() : OriginLookup.getOrigin(original, name);
    }

    @Override
    public boolean isImmutable() {
        return true;
    }

    @Override
    public @Nullable String getPrefix() {
        return original instanceof PropertySourceInfo info ? info.getPrefix() : null;
    }

    @Override
    public Map<String, ResolvedValue> resolvedValues() {
        return resolved;
    }

    @Override
    public String toString() {
        return RotorResolved.describe(this);
    }

    /** The variables with the resolved values in place; printing it shows only the names. */
    private static final class Variables extends AbstractMap<String, Object> {
        private final Map<String, Object> values;

        Variables(Map<String, Object> values) {
            this.values = values;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return values.entrySet();
        }

        @Override
        public @Nullable Object get(Object key) {
            return values.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return values.containsKey(key);
        }

        @Override
        public String toString() {
            return "environment variables " + values.keySet();
        }
    }
}
