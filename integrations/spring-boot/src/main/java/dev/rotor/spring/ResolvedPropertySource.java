package dev.rotor.spring;

import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.env.PropertySourceInfo;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * Stands in for a property source that held {@code secret://} references, under the same name
 * and at the same place, so that Boot's precedence between sources stays exactly as it was:
 * the properties holding a reference answer with their resolved value (an absent
 * {@code optional:} one is hidden), every other property comes from the original source.
 *
 * <p>{@link #getSource()} is the original source (which holds references, not values);
 * {@link #toString()} names the properties resolved, never a value.
 *
 * <p>Immutable and thread-safe if the original source is.
 */
final class ResolvedPropertySource extends EnumerablePropertySource<EnumerablePropertySource<?>>
        implements OriginLookup<String>, PropertySourceInfo, RotorResolved {

    private final Map<String, ResolvedValue> resolved;

    ResolvedPropertySource(EnumerablePropertySource<?> original, Map<String, ResolvedValue> resolved) {
        super(original.getName(), original);
        this.resolved = Map.copyOf(resolved);
    }

    @Override
    public String[] getPropertyNames() {
        return Arrays.stream(getSource().getPropertyNames())
                .filter(name -> !(resolved.containsKey(name) && resolved.get(name).absent()))
                .toArray(String[]::new);
    }

    @Override
    public boolean containsProperty(String name) {
        ResolvedValue v = resolved.get(name);
        return v != null ? !v.absent() : getSource().containsProperty(name);
    }

    @Override
    public @Nullable Object getProperty(String name) {
        ResolvedValue v = resolved.get(name);
        return v != null ? v.value() : getSource().getProperty(name);
    }

    @Override
    public @Nullable Origin getOrigin(String name) {
        ResolvedValue v = resolved.get(name);
        return v != null ? v.origin() : OriginLookup.getOrigin(getSource(), name);
    }

    @Override
    public boolean isImmutable() {
        return getSource() instanceof PropertySourceInfo info && info.isImmutable();
    }

    @Override
    public @Nullable String getPrefix() {
        return getSource() instanceof PropertySourceInfo info ? info.getPrefix() : null;
    }

    @Override
    public Map<String, ResolvedValue> resolvedValues() {
        return resolved;
    }

    @Override
    public String toString() {
        return RotorResolved.describe(this);
    }
}
