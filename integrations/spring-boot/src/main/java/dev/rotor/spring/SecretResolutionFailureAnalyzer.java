package dev.rotor.spring;

import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.UnresolvedRef;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a failed resolution at startup into Boot's "APPLICATION FAILED TO START" report: every
 * reference that failed, with where it is written, the reason and what the store said. It
 * shows refs and locations, never a value or a default.
 */
public final class SecretResolutionFailureAnalyzer extends AbstractFailureAnalyzer<SecretResolutionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SecretResolutionException cause) {
        StringBuilder description = new StringBuilder();
        int n = cause.unresolved().size();
        description.append(n).append(n == 1 ? " secret reference" : " secret references")
                .append(" in the application's configuration could not be resolved:\n");
        for (UnresolvedRef u : cause.unresolved()) {
            description.append("\n    Property: ").append(u.location())
                    .append("\n    Reference: ").append(u.ref())
                    .append("\n    Reason: ").append(u.reason()).append(" (").append(u.detail()).append(")\n");
        }
        String action = "Fix each reference above: the store must be one of rotor.yaml's stores, the secret and its field"
                + " must exist, and this application must be allowed to read them. Write optional:secret://... for a"
                + " property that may be absent, or secret://...|default:TEXT for one with a default.";
        return new FailureAnalysis(description.toString(), action, cause);
    }
}
