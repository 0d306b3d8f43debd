package dev.rotor.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.resolve.SecretResolutionException;
import dev.rotor.resolve.UnresolvedRef;
import dev.rotor.resolve.UnresolvedRef.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

class SecretResolutionFailureAnalyzerTest {

    private final SecretResolutionFailureAnalyzer analyzer = new SecretResolutionFailureAnalyzer();

    @Test
    void describesEveryFailedReferenceEvenWhenWrappedAndSaysWhatToDo() {
        SecretResolutionException failure = new SecretResolutionException(List.of(
                new UnresolvedRef("app.password (application.yaml - 3:14)", "secret://main/db/app#pasword", Reason.NO_SUCH_FIELD,
                        "version 4: value has no field 'pasword'"),
                new UnresolvedRef("app.token (application.yaml - 4:11)", "secret://vault/api", Reason.UNKNOWN_STORE,
                        "no store named 'vault' is configured (configured: main)")));

        FailureAnalysis analysis = analyzer.analyze(new IllegalStateException("start failed", failure));

        assertThat(analysis.getDescription())
                .startsWith("2 secret references in the application's configuration could not be resolved:")
                .contains("Property: app.password (application.yaml - 3:14)", "Reference: secret://main/db/app#pasword",
                        "Reason: NO_SUCH_FIELD (version 4: value has no field 'pasword')",
                        "Property: app.token (application.yaml - 4:11)", "Reason: UNKNOWN_STORE");
        assertThat(analysis.getAction()).contains("optional:secret://", "|default:");
        assertThat(analysis.getCause()).isSameAs(failure);
    }

    @Test
    void leavesOtherFailuresToOtherAnalyzers() {
        assertThat(analyzer.analyze(new IllegalStateException("unrelated"))).isNull();
    }
}
