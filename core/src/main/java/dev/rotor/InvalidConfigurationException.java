package dev.rotor;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration has problems; all of them are listed at once, each naming its field. */
public class InvalidConfigurationException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final List<ConfigProblem> problems;

    public InvalidConfigurationException(List<ConfigProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidConfigurationException(String field, String message) {
        this(List.of(new ConfigProblem(field, message)));
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** Throws if {@code problems} is not empty. */
    public static void throwIfAny(List<ConfigProblem> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
    }

    private static String describe(List<ConfigProblem> problems) {
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0);
        }
        return "invalid configuration (" + problems.size() + " problems): "
                + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; "));
    }
}
