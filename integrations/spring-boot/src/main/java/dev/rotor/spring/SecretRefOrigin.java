package dev.rotor.spring;

import dev.rotor.SecretRef;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.core.env.Environment;

/**
 * Where a property's value came from when Rotor resolved it: the {@code secret://} reference,
 * and, as {@linkplain #getParent() parent}, where that reference was written (a line of
 * {@code application.yaml}, an environment variable, ...). Boot shows origins in its error
 * reports; this one names the reference, never the value.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretRefOrigin implements Origin {

    private final SecretRef ref;
    private final @Nullable Origin parent;

    public SecretRefOrigin(SecretRef ref, @Nullable Origin parent) {
        this.ref = Objects.requireNonNull(ref, "ref");
        this.parent = parent;
    }

    /**
     * Where the effective value of {@code propertyName} came from, if Rotor resolved it: Boot's
     * relaxed names count, so {@code SPRING_DATASOURCE_PASSWORD} answers for
     * {@code spring.datasource.password}. Empty if the property is unset or was not a reference.
     */
    public static Optional<SecretRefOrigin> lookup(Environment environment, String propertyName) {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(propertyName);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property != null) {
                return find(property.getOrigin());
            }
        }
        return Optional.empty();
    }

    /** The {@code SecretRefOrigin} in {@code origin} or the origins it wraps or descends from, if any. */
    public static Optional<SecretRefOrigin> find(@Nullable Origin origin) {
        Origin o = origin;
        while (o != null) {
            if (o instanceof SecretRefOrigin found) {
                return Optional.of(found);
            }
            o = o instanceof PropertySourceOrigin p && p.getOrigin() != null ? p.getOrigin() : o.getParent();
        }
        return Optional.empty();
    }

    /** The reference the value was read from. */
    public SecretRef ref() {
        return ref;
    }

    @Override
    public @Nullable Origin getParent() {
        return parent;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretRefOrigin other && other.ref.equals(ref) && Objects.equals(other.parent, parent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ref, parent);
    }

    @Override
    public String toString() {
        return ref.format() + (parent == null ? "" : " (written at " + parent + ")");
    }
}
