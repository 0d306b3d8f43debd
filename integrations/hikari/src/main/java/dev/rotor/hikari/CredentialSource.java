package dev.rotor.hikari;

import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads database credentials from one secret: a JSON object with a user name and a password
 * field. Each {@link DbCredential} comes from one read of one version, so its two fields belong
 * together. Thread-safe (the store is).
 */
final class CredentialSource {

    private final SecretStore store;
    private final SecretRef ref;
    private final String usernameField;
    private final String passwordField;

    CredentialSource(SecretStore store, SecretRef ref, String usernameField, String passwordField) {
        this.store = Objects.requireNonNull(store, "store");
        this.ref = Objects.requireNonNull(ref, "ref");
        this.usernameField = Objects.requireNonNull(usernameField, "usernameField");
        this.passwordField = Objects.requireNonNull(passwordField, "passwordField");
    }

    SecretRef ref() {
        return ref;
    }

    /** The CURRENT version, as the store answers it (its cache may). */
    DbCredential current() {
        return parse(store.get(ref.path(), Selector.CURRENT));
    }

    /** One version by id; a version never changes, so a cached answer is as good as a fresh one. */
    DbCredential version(String versionId) {
        return parse(store.get(ref.path(), Selector.version(versionId)));
    }

    /**
     * The version ids CURRENT and PENDING point at now, from the store's version list, which no
     * cache layer keeps.
     */
    Stages stages() {
        List<VersionInfo> versions = store.versions(ref.path());
        String current = null;
        String pending = null;
        for (VersionInfo v : versions) {
            if (v.has(Stage.CURRENT)) {
                current = v.id();
            }
            if (v.has(Stage.PENDING)) {
                pending = v.id();
            }
        }
        return new Stages(current, pending);
    }

    record Stages(@Nullable String current, @Nullable String pending) {}

    private DbCredential parse(Secret secret) {
        SecretValue value = secret.value();
        SecretValue user = null;
        try {
            user = value.field(usernameField);
            String username = user.asUtf8();
            if (username.isBlank()) {
                throw new SecretFieldException("field '" + usernameField + "' is blank");
            }
            return new DbCredential(secret.version().id(), 0, username, value.field(passwordField));
        } catch (SecretFieldException | IllegalStateException e) {
            // Both exceptions name fields only, never content.
            throw new RotorException("the database credentials " + ref + " (version " + secret.version().id()
                    + ") need string fields '" + usernameField + "' and '" + passwordField + "': " + e.getMessage());
        } finally {
            if (user != null) {
                user.destroy();
            }
        }
    }

    @Override
    public String toString() {
        return "CredentialSource[" + ref + ", fields=" + usernameField + "/" + passwordField + "]";
    }
}
