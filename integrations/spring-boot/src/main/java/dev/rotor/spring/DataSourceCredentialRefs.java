package dev.rotor.spring;

import dev.rotor.SecretRef;
import dev.rotor.Selector;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * Whether {@code spring.datasource.username} and {@code spring.datasource.password} came from
 * two fields of one secret that follows CURRENT, which is what a DataSource needs to follow
 * rotation: {@code secret://main/db/app#username} and {@code secret://main/db/app#password}.
 *
 * @param secret the secret, without a field
 * @param usernameField the field the user name came from
 * @param passwordField the field the password came from
 */
record DataSourceCredentialRefs(SecretRef secret, String usernameField, String passwordField) {

    static final String USERNAME = "spring.datasource.username";
    static final String PASSWORD = "spring.datasource.password";

    /** What the environment holds, or why it does not qualify. */
    sealed interface Outcome permits Found, NotFound {}

    record Found(DataSourceCredentialRefs refs) implements Outcome {}

    record NotFound(String reason) implements Outcome {}

    static Outcome of(Environment environment) {
        Optional<SecretRefOrigin> password = SecretRefOrigin.lookup(environment, PASSWORD);
        if (password.isEmpty()) {
            return new NotFound(PASSWORD + " is not a secret:// reference");
        }
        Optional<SecretRefOrigin> username = SecretRefOrigin.lookup(environment, USERNAME);
        if (username.isEmpty()) {
            return new NotFound(USERNAME + " is not a secret:// reference: to follow rotation, take both from one secret"
                    + " (secret://<store>/<path>#username and #password)");
        }
        SecretRef p = password.get().ref();
        SecretRef u = username.get().ref();
        @Nullable String reason = null;
        if (p.field() == null || u.field() == null) {
            reason = "both references need a #field of one JSON secret";
        } else if (!p.withField(null).equals(u.withField(null))) {
            reason = "the references name two secrets, " + u.withField(null) + " and " + p.withField(null);
        } else if (!p.selector().equals(Selector.CURRENT)) {
            reason = "the references pin " + p.selector() + "; following rotation needs CURRENT";
        }
        if (reason != null) {
            return new NotFound(USERNAME + " = " + u + " and " + PASSWORD + " = " + p + ": " + reason);
        }
        return new Found(new DataSourceCredentialRefs(p.withField(null), u.field(), p.field()));
    }
}
