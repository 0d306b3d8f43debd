package dev.rotor.vault;

import dev.rotor.AccessDeniedException;
import dev.rotor.spi.StoreContext;
import dev.rotor.vault.VaultClient.TokenGrant;
import org.jspecify.annotations.Nullable;

/** How a Vault store obtains a token. Each login reads its credentials afresh. */
sealed interface VaultLogin {

    /** Obtains a token (and learns its TTL). @throws dev.rotor.RotorException if Vault refuses or cannot be reached */
    TokenGrant login(VaultClient client, StoreContext context);

    /** A static token from an environment variable or a file; "logging in" re-reads it and looks it up. */
    record Token(Credential token) implements VaultLogin {
        @Override
        public TokenGrant login(VaultClient client, StoreContext context) {
            String value = token.read(context);
            try {
                return client.lookupSelf(value);
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException("store '" + client.store() + "': Vault at " + client.address()
                        + " rejected the token from " + token.describe() + " (permission denied)", e);
            }
        }
    }

    /** AppRole: role id and (unless the role binds none) secret id, posted to {@code auth/<mount>/login}. */
    record AppRole(String mount, Credential roleId, @Nullable Credential secretId) implements VaultLogin {
        @Override
        public TokenGrant login(VaultClient client, StoreContext context) {
            String role = roleId.read(context);
            String secret = secretId == null ? null : secretId.read(context);
            try {
                return client.loginAppRole(mount, role, secret);
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException("store '" + client.store() + "': AppRole login at auth/" + mount
                        + " was refused (permission denied)", e);
            }
        }
    }

    /** Kubernetes: the pod's service-account JWT and a role, posted to {@code auth/<mount>/login}. */
    record Kubernetes(String mount, String role, Credential jwt) implements VaultLogin {
        @Override
        public TokenGrant login(VaultClient client, StoreContext context) {
            String token = jwt.read(context);
            try {
                return client.loginKubernetes(mount, role, token);
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException("store '" + client.store() + "': Kubernetes login as role '" + role
                        + "' at auth/" + mount + " was refused (permission denied)", e);
            }
        }
    }
}
