package dev.rotor.rotator.sql;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Makes a SQL password rotator from the plain settings of a policy (as read from YAML):
 * {@link #validate} checks them without any I/O, {@link #settings} types them, {@link #open}
 * builds the rotator with its admin login. Subclasses bind the settings and make the rotator.
 * Stateless and thread-safe if the subclass is.
 *
 * @param <S> the rotator's typed settings
 * @param <R> the rotator
 */
public abstract class SqlRotatorProvider<S, R> {

    /**
     * What binding a settings map yields.
     *
     * @param settings the typed settings, or {@code null} if they have problems
     * @param admin where the admin login comes from ({@link AdminSource#NONE} if not valid)
     */
    public record Bound<S>(@Nullable S settings, AdminSource admin) {}

    private final String type;

    /** @param type the rotator type this provider makes, e.g. {@code postgres-password} */
    protected SqlRotatorProvider(String type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /** The rotator type this provider makes, e.g. {@code postgres-password}. */
    public final String type() {
        return type;
    }

    /**
     * Every problem with {@code settings}, each naming its field as {@code prefix + "." + key}
     * (for example {@code policies.db.settings.port}); empty if they are valid. No I/O.
     */
    public final List<ConfigProblem> validate(String prefix, Map<String, ?> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        bind(prefix, settings, problems);
        return problems;
    }

    /** The typed settings. @throws InvalidConfigurationException listing every problem */
    public final S settings(String prefix, Map<String, ?> settings) {
        return Objects.requireNonNull(valid(prefix, settings).settings());
    }

    /**
     * A rotator for {@code settings}. The admin login comes from environment variables (read
     * through {@code env}) or from a secret in one of {@code stores} (looked up by store name).
     *
     * @throws InvalidConfigurationException listing every problem, including an admin secret in
     *     a store that {@code stores} does not know
     */
    public final R open(String prefix, Map<String, ?> settings, Function<String, @Nullable String> env,
            Function<String, @Nullable SecretStore> stores) {
        Bound<S> bound = valid(prefix, settings);
        return open(prefix, Objects.requireNonNull(bound.settings()), bound.admin(), env, stores);
    }

    /** Binds {@code map}, adding every problem to {@code problems}. No I/O. */
    protected abstract Bound<S> bind(String prefix, Map<String, ?> map, List<ConfigProblem> problems);

    /**
     * The rotator for valid settings, its admin login taken from {@code admin}.
     *
     * @throws InvalidConfigurationException if the admin login cannot be found where {@code admin} says
     */
    protected abstract R open(String prefix, S settings, AdminSource admin, Function<String, @Nullable String> env,
            Function<String, @Nullable SecretStore> stores);

    /** The binding of settings that have no problem, so that {@link Bound#settings()} is set. */
    private Bound<S> valid(String prefix, Map<String, ?> settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        Bound<S> bound = bind(prefix, settings, problems);
        InvalidConfigurationException.throwIfAny(problems);
        return bound;
    }
}
