package dev.rotor.resolve;

import dev.rotor.RotorException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Some references could not be resolved. {@link #unresolved()} lists every one of them with its
 * reason, so that one failed start shows everything to fix. The message names locations and
 * refs, never a value or a default.
 */
public class SecretResolutionException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final List<UnresolvedRef> unresolved;

    public SecretResolutionException(List<UnresolvedRef> unresolved) {
        super(describe(unresolved));
        if (unresolved.isEmpty()) {
            throw new IllegalArgumentException("at least one unresolved ref is required");
        }
        this.unresolved = List.copyOf(unresolved);
    }

    /** Every reference that failed, in the order they were found. */
    public List<UnresolvedRef> unresolved() {
        return unresolved;
    }

    private static String describe(List<UnresolvedRef> unresolved) {
        return unresolved.size() + " secret ref" + (unresolved.size() == 1 ? "" : "s") + " could not be resolved: "
                + unresolved.stream().map(UnresolvedRef::toString).collect(Collectors.joining("; "));
    }
}
