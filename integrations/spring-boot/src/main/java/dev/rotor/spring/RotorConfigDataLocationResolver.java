package dev.rotor.spring;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationNotFoundException;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;

/**
 * Resolves {@code spring.config.import} locations that start with {@value #PREFIX}:
 * <ul>
 *   <li>{@code rotor:} is {@code rotor.yaml} in the working directory, the file the {@code rotor}
 *       command reads by default;
 *   <li>{@code rotor:<path>} is that file; a relative path resolves against the working directory.
 * </ul>
 * Boot's {@code optional:} prefix ({@code optional:rotor:}) lets the application start without
 * the file; its {@code secret://} values then stay unresolved text.
 *
 * <p>Stateless and thread-safe.
 */
public final class RotorConfigDataLocationResolver implements ConfigDataLocationResolver<RotorConfigDataResource> {

    /** The prefix of a Rotor import location. */
    public static final String PREFIX = "rotor:";
    /** The file {@code rotor:} names: the {@code rotor} command's default. */
    public static final String DEFAULT_CONFIG_FILE = "rotor.yaml";

    @Override
    public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return location.hasPrefix(PREFIX);
    }

    @Override
    public List<RotorConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        String written = location.getNonPrefixedValue(PREFIX).strip();
        Path file;
        try {
            file = Path.of(written.isEmpty() ? DEFAULT_CONFIG_FILE : written);
        } catch (InvalidPathException e) {
            throw new ConfigDataLocationNotFoundException(location, "'" + written + "' is not a file path", e);
        }
        return List.of(new RotorConfigDataResource(file, location.isOptional()));
    }
}
