package dev.rotor.spi;

import dev.rotor.ConfigProblem;
import dev.rotor.rotation.Rotator;
import java.util.List;

/**
 * A stateless factory for one type of {@link Rotator}, like {@link SecretStoreProvider} for
 * stores: {@link #validate} checks a configuration without touching the target (so a policy file
 * can be checked offline), {@link #open} makes the rotator. Register providers explicitly.
 */
public interface RotatorProvider {

    /** The {@code type} this provider answers to, e.g. {@code postgres-password}; equal to its rotators' {@link Rotator#type()}. */
    String type();

    /** Every problem with the configuration, each naming its field ({@code rotators.<name>.<key>}); empty if valid. No I/O to the target. */
    List<ConfigProblem> validate(RotatorConfig config, RotatorContext context);

    /**
     * Makes the rotator. Implementations call {@link #validate} first and throw
     * {@link dev.rotor.InvalidConfigurationException} listing every problem.
     */
    Rotator open(RotatorConfig config, RotatorContext context);
}
