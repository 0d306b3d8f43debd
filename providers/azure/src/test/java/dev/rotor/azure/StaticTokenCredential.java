package dev.rotor.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/** A test credential that hands out one fixed token and records the scopes it was asked for. */
final class StaticTokenCredential implements TokenCredential {

    private final String token;
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    StaticTokenCredential(String token) {
        this.token = token;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromSupplier(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        scopes.addAll(request.getScopes());
        return new AccessToken(token, OffsetDateTime.now().plusHours(1));
    }

    List<String> scopesAskedFor() {
        return List.copyOf(scopes);
    }

    @Override
    public String toString() {
        return "StaticTokenCredential[<redacted>]";
    }
}
