package dev.rotor.spring;

import dev.rotor.SecretRef;
import dev.rotor.resolve.Resolution;
import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.SecretResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Resolves every {@code secret://} value in an environment's property sources in one
 * {@link SecretResolver} pass, and puts each source that held one back as a
 * {@link ResolvedPropertySource} under its own name and at its own place.
 *
 * <p>Every enumerable source is scanned, also values that a source of higher precedence
 * overrides: a bad reference fails the start wherever it is written.
 */
final class EnvironmentSecrets {

    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentSecrets.class);
    private static final String OPTIONAL = "optional:";

    private EnvironmentSecrets() {}

    /** A property whose value is a reference. */
    private record Found(EnumerablePropertySource<?> source, String name, @Nullable Origin origin) {}

    /**
     * Resolves and replaces; returns how many properties held a reference.
     *
     * @throws SecretResolutionException naming every reference that failed; nothing is replaced then
     */
    static int resolve(ConfigurableEnvironment environment, SecretResolver resolver) {
        Map<String, Found> byLocation = new LinkedHashMap<>();
        Map<String, String> refs = new LinkedHashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof RotorResolved || ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
                    || !(source instanceof EnumerablePropertySource<?> enumerable)) {
                continue;
            }
            for (String name : enumerable.getPropertyNames()) {
                Object value = enumerable.getProperty(name);
                String text = value == null ? null : value.toString();
                if (text != null && (text.startsWith(SecretRef.SCHEME) || text.startsWith(OPTIONAL + SecretRef.SCHEME))) {
                    Origin origin = OriginLookup.getOrigin(enumerable, name);
                    String location = uniqueLocation(byLocation, name + " (" + (origin != null ? origin
                            : "property source '" + source.getName() + "'") + ")");
                    byLocation.put(location, new Found(enumerable, name, origin));
                    refs.put(location, text);
                }
            }
        }
        if (refs.isEmpty()) {
            LOG.debug("no secret:// values in the environment");
            return 0;
        }
        Resolution<Map<String, String>> resolution = resolver.resolveEnvironment(refs);
        try {
            Map<String, String> values = resolution.resolved();
            Map<EnumerablePropertySource<?>, Map<String, ResolvedValue>> perSource = new LinkedHashMap<>();
            byLocation.forEach((location, found) -> {
                SecretRef ref = resolution.ref(location).orElseThrow();
                perSource.computeIfAbsent(found.source(), s -> new LinkedHashMap<>())
                        .put(found.name(), new ResolvedValue(ref, values.get(location), new SecretRefOrigin(ref, found.origin())));
            });
            perSource.forEach((source, resolved) -> environment.getPropertySources().replace(source.getName(), wrap(source, resolved)));
            LOG.debug("resolved {} secret:// values in property sources {}", refs.size(),
                    perSource.keySet().stream().map(PropertySource::getName).toList());
        } finally {
            resolution.destroy();
        }
        return refs.size();
    }

    private static PropertySource<?> wrap(EnumerablePropertySource<?> source, Map<String, ResolvedValue> resolved) {
        if (source instanceof SystemEnvironmentPropertySource env) {
            return new ResolvedSystemEnvironmentPropertySource(env, resolved);
        }
        return new ResolvedPropertySource(source, resolved);
    }

    private static String uniqueLocation(Map<String, Found> taken, String location) {
        String candidate = location;
        for (int i = 2; taken.containsKey(candidate); i++) {
            candidate = location + " #" + i;
        }
        return candidate;
    }

    /** The names of the properties whose values look like references, for a warning when none can be resolved. */
    static List<String> refNames(ConfigurableEnvironment environment) {
        List<String> names = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable
                    && !ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                for (String name : enumerable.getPropertyNames()) {
                    Object value = enumerable.getProperty(name);
                    if (value != null && (value.toString().startsWith(SecretRef.SCHEME)
                            || value.toString().startsWith(OPTIONAL + SecretRef.SCHEME))) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }
}
