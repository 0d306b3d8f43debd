package dev.rotor.rotator.keys;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.rotation.Rotator;
import dev.rotor.spi.ConfigBinder;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.RotatorContext;
import dev.rotor.spi.RotatorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RotatorProvider} whose settings bind to a record {@code S} as written (absent values
 * {@code null}). {@link #validate} and {@link #open} both run {@link #create}, which reports every
 * problem, so that what validates opens. Stateless if the subclass is.
 *
 * @param <S> the settings as written
 */
public abstract class SettingsRotatorProvider<S> implements RotatorProvider {

    private final String type;
    private final Class<S> settingsType;

    /**
     * @param type the rotator type this provider answers to
     * @param settingsType the record the settings bind to
     */
    protected SettingsRotatorProvider(String type, Class<S> settingsType) {
        this.type = Objects.requireNonNull(type, "type");
        this.settingsType = Objects.requireNonNull(settingsType, "settingsType");
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final List<ConfigProblem> validate(RotatorConfig config, RotatorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        build(config, context, problems);
        return problems;
    }

    @Override
    public final Rotator open(RotatorConfig config, RotatorContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        Rotator r = build(config, context, problems);
        InvalidConfigurationException.throwIfAny(problems);
        return Objects.requireNonNull(r);
    }

    /**
     * The rotator for bound settings, or {@code null} after adding every problem to
     * {@code problems}; it must not return a rotator when it adds a problem.
     */
    protected abstract @Nullable Rotator create(RotatorConfig config, RotatorContext context, S settings,
            List<ConfigProblem> problems);

    /**
     * Adds the problems a typed settings record refused, named {@code <record>.<field>}, as the
     * config's own fields; a field already reported is not reported again.
     */
    protected static void addSettingsProblems(RotatorConfig config, InvalidConfigurationException refused,
            List<ConfigProblem> problems) {
        for (ConfigProblem p : refused.problems()) {
            ConfigProblem mapped = new ConfigProblem(config.fieldPath(p.field().substring(p.field().indexOf('.') + 1)), p.message());
            if (problems.stream().noneMatch(q -> q.field().equals(mapped.field()))) {
                problems.add(mapped);
            }
        }
    }

    /** The configured store named {@code name}, or {@code null} after reporting that there is none at {@code key}. */
    protected static @Nullable SecretStore store(RotatorConfig config, RotatorContext context, String key, String name,
            List<ConfigProblem> problems) {
        SecretStore store = context.store(name);
        if (store == null) {
            problems.add(new ConfigProblem(config.fieldPath(key), "no store named '" + name + "'"));
        }
        return store;
    }

    private @Nullable Rotator build(RotatorConfig config, RotatorContext context, List<ConfigProblem> problems) {
        S s = ConfigBinder.bind(config, settingsType, problems);
        return s == null ? null : create(config, context, s, problems);
    }
}
