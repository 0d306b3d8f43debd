package dev.rotor.rotator.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Step;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The two fields of a secret version that the rotator works with: {@code clientId} and
 * {@code clientSecret}. {@link #toString()} hides the secret.
 */
record ClientCredentials(String clientId, SecretValue secret) {

    private static final ObjectMapper JSON = new ObjectMapper();

    ClientCredentials {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(secret, "secret");
    }

    /**
     * Reads the fields of {@code version}.
     *
     * @param role what the version is to the run ({@code CURRENT}, {@code PENDING}, {@code PREVIOUS}), for messages
     * @throws RotationException at {@code step} if a field is missing or empty
     */
    static ClientCredentials of(Secret version, Step step, String role) {
        try {
            String clientId = version.value().field(KeycloakClientSecretRotator.CLIENT_ID_FIELD).asUtf8();
            SecretValue secret = version.value().field(KeycloakClientSecretRotator.CLIENT_SECRET_FIELD);
            if (clientId.isBlank() || secret.length() == 0) {
                throw new RotationException(step, role + " version " + version.version().id() + " of " + version.path()
                        + " has an empty '" + KeycloakClientSecretRotator.CLIENT_ID_FIELD + "' or '"
                        + KeycloakClientSecretRotator.CLIENT_SECRET_FIELD + "'");
            }
            return new ClientCredentials(clientId, secret);
        } catch (SecretFieldException | IllegalStateException e) {
            // the message names the field, never the content
            throw new RotationException(step, role + " version " + version.version().id() + " of " + version.path()
                    + " is not usable: " + e.getMessage(), e);
        }
    }

    /**
     * A new secret value: the fields of {@code base} (when it is a JSON object) with
     * {@code clientId} and {@code clientSecret} replaced, so that other fields an application keeps
     * there (a token URL, say) carry over.
     */
    static SecretValue compose(@Nullable SecretValue base, String clientId, SecretValue secret) {
        ObjectNode node = null;
        if (base != null && base.isJsonObject()) {
            byte[] bytes = base.bytes();
            try {
                JsonNode parsed = JSON.readTree(bytes);
                node = parsed instanceof ObjectNode o ? o : null;
            } catch (IOException e) {
                node = null;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
        if (node == null) {
            node = JSON.createObjectNode();
        }
        node.put(KeycloakClientSecretRotator.CLIENT_ID_FIELD, clientId);
        node.put(KeycloakClientSecretRotator.CLIENT_SECRET_FIELD, secret.asUtf8());
        try {
            return SecretValue.wrap(JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the new secret value as JSON", e);
        }
    }

    boolean sameSecret(SecretValue other) {
        return secret.equals(other);
    }

    @Override
    public String toString() {
        return "ClientCredentials[clientId=" + clientId + ", secret=<redacted>]";
    }
}
