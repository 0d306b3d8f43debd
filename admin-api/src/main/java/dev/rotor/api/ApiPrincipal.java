package dev.rotor.api;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller of the admin API.
 *
 * @param name the caller's name as audit records show it: {@code oidc:<client>} for a token
 *     (its {@code azp}, {@code client_id} or {@code sub} claim), {@code apikey:<name>} for an API key
 * @param method how the caller proved who it is
 * @param scopes the Rotor scopes granted; other scopes of a token are ignored
 */
public record ApiPrincipal(String name, Method method, Set<Scope> scopes) {

    /** How a caller authenticated. */
    public enum Method { BEARER_TOKEN, API_KEY }

    public ApiPrincipal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }
}
