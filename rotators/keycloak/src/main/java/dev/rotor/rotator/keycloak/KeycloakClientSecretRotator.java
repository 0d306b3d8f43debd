package dev.rotor.rotator.keycloak;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.rotation.RotationContext;
import dev.rotor.rotation.RotationException;
import dev.rotor.rotation.Rotator;
import dev.rotor.rotation.Step;
import dev.rotor.rotator.keycloak.KeycloakAdmin.Client;
import dev.rotor.rotator.keycloak.KeycloakCallException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the secret of an OAuth2 client on Keycloak through the admin REST API, authenticated by
 * the rotator's own client-credentials token (kept until shortly before it expires).
 *
 * <p>A secret version is a JSON object with the fields {@value #CLIENT_ID_FIELD} and
 * {@value #CLIENT_SECRET_FIELD}; other fields are carried over to each new version. Where Keycloak
 * is and which clients to rotate are the rotator's settings ({@link KeycloakRotatorSettings}).
 *
 * <p>Strategies ({@link KeycloakStrategy}):
 * <ul>
 *   <li><b>dual-secret</b>: APPLY asks Keycloak to regenerate the secret, so that its client-secret
 *       rotation policy keeps the old one valid as the "rotated" secret, then sets the new secret
 *       made at CREATE. The old secret keeps working until RETIRE deletes the rotated secret (or
 *       the policy's grace period ends).
 *   <li><b>alternating</b>: APPLY sets the new secret on the idle one of two clients; the secret's
 *       client id switches. The other client's secret keeps working until RETIRE gives it a new,
 *       unknown secret (or the next rotation sets one).
 * </ul>
 * Every step is idempotent: APPLY compares what Keycloak holds with CURRENT and PENDING and does
 * only what is still missing, so a step repeated after a crash never regenerates twice.
 *
 * <p>Secrets never reach a log line or an exception message. Thread-safe: one instance may serve
 * runs on several threads.
 */
public final class KeycloakClientSecretRotator implements Rotator {

    /** The rotator type named in policies. */
    public static final String TYPE = "keycloak-client-secret";
    /** The field of a secret version holding the client id. */
    public static final String CLIENT_ID_FIELD = "clientId";
    /** The field of a secret version holding the client secret. */
    public static final String CLIENT_SECRET_FIELD = "clientSecret";
    public static final int DEFAULT_SECRET_LENGTH = 40;
    public static final int MIN_SECRET_LENGTH = 24;
    /** Keycloak keeps a client secret in a 255-character column. */
    public static final int MAX_SECRET_LENGTH = 255;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TOKEN_REFRESH_MARGIN = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(KeycloakClientSecretRotator.class);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Strategies chosen at PREPARE under {@code auto}, by run id; a few hundred runs are plenty. */
    private static final int MAX_REMEMBERED_RUNS = 256;

    private final KeycloakAdmin admin;
    private final KeycloakStrategy strategy;
    private final List<String> clients;
    private final SecretGenerator generator;
    private final Map<String, KeycloakStrategy> chosen = Collections.synchronizedMap(new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KeycloakStrategy> eldest) {
            return size() > MAX_REMEMBERED_RUNS;
        }
    });

    private KeycloakClientSecretRotator(KeycloakAdmin admin, KeycloakStrategy strategy, List<String> clients, SecretGenerator generator) {
        this.admin = admin;
        this.strategy = strategy;
        this.clients = List.copyOf(clients);
        this.generator = generator;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A rotator from configuration settings.
     *
     * @param fieldPrefix the path of the settings in the configuration, for problem reports (e.g. {@code rotators.billing})
     * @param environment where {@code auth.clientSecretEnv} is looked up
     * @param baseDirectory what a relative {@code auth.clientSecretFile} is resolved against
     * @throws InvalidConfigurationException listing every problem
     */
    public static KeycloakClientSecretRotator fromSettings(KeycloakRotatorSettings settings, String fieldPrefix,
            Function<String, @Nullable String> environment, Path baseDirectory, Clock clock) {
        return fromSettings(settings, fieldPrefix, environment, baseDirectory, store -> null, clock);
    }

    /**
     * A rotator from configuration settings whose {@code auth.secret} may name a secret in one of
     * {@code stores} (looked up by store name; null for a store that is not configured).
     *
     * @throws InvalidConfigurationException listing every problem
     */
    public static KeycloakClientSecretRotator fromSettings(KeycloakRotatorSettings settings, String fieldPrefix,
            Function<String, @Nullable String> environment, Path baseDirectory, Function<String, @Nullable SecretStore> stores,
            Clock clock) {
        return fromSettingsBuilder(settings, fieldPrefix, environment, baseDirectory, stores).clock(clock).build();
    }

    /** Every problem with {@code settings}, each naming its field; empty if they are valid. No I/O to Keycloak. */
    public static List<ConfigProblem> validate(KeycloakRotatorSettings settings, String fieldPrefix,
            Function<String, @Nullable String> environment, Path baseDirectory) {
        return fromSettingsBuilder(settings, fieldPrefix, environment, baseDirectory, null).problems();
    }

    /** @param stores null when only validating: a secret ref is then checked for its form only */
    private static Builder fromSettingsBuilder(KeycloakRotatorSettings s, String fieldPrefix,
            Function<String, @Nullable String> environment, Path baseDirectory, @Nullable Function<String, @Nullable SecretStore> stores) {
        Builder b = builder().fieldPrefix(fieldPrefix);
        if (s.serverUrl() != null) {
            try {
                b.serverUrl(new URI(s.serverUrl().trim()));
            } catch (URISyntaxException e) {
                b.problem("serverUrl", "is not a URI");
            }
        }
        if (s.realm() != null) {
            b.realm(s.realm());
        }
        if (s.strategy() != null) {
            KeycloakStrategy.parse(s.strategy()).ifPresentOrElse(b::strategy,
                    () -> b.problem("strategy", "must be auto, dual-secret or alternating"));
        }
        if (s.clients() != null) {
            b.clients(s.clients());
        }
        if (s.secretLength() != null) {
            b.secretLength(s.secretLength());
        }
        if (s.connectTimeout() != null) {
            b.connectTimeout(s.connectTimeout());
        }
        if (s.requestTimeout() != null) {
            b.requestTimeout(s.requestTimeout());
        }
        if (s.tokenRefreshMargin() != null) {
            b.tokenRefreshMargin(s.tokenRefreshMargin());
        }
        KeycloakRotatorSettings.Auth auth = s.auth();
        if (auth == null) {
            b.problem("auth", "is required (clientId and clientSecretEnv or clientSecretFile of the rotator's own client)");
            return b;
        }
        if (auth.realm() != null) {
            b.authRealm(auth.realm());
        }
        if (auth.clientId() != null) {
            b.authClientId(auth.clientId());
        }
        String env = auth.clientSecretEnv();
        String file = auth.clientSecretFile();
        String ref = auth.secret();
        int sources = (env == null ? 0 : 1) + (file == null ? 0 : 1) + (ref == null ? 0 : 1);
        if (sources > 1) {
            b.problem("auth", "set one of clientSecretEnv, clientSecretFile and secret, not several");
        } else if (ref != null) {
            secretFromStore(b, ref, stores);
        } else if (env != null) {
            if (!ENV_NAME.matcher(env).matches()) {
                b.problem("auth.clientSecretEnv", "'" + env + "' is not an environment variable name");
            } else if (isBlank(environment.apply(env))) {
                b.problem("auth.clientSecretEnv", "environment variable " + env + " is not set");
            } else {
                b.authClientSecret(() -> {
                    String v = environment.apply(env);
                    if (isBlank(v)) {
                        throw new KeycloakCallException(Kind.UNAUTHENTICATED, 0, "environment variable " + env
                                + " (the rotator's client secret) is not set");
                    }
                    return SecretValue.ofUtf8(v.strip());
                });
            }
        } else if (file != null) {
            Path path = baseDirectory.resolve(file).normalize();
            if (!Files.isReadable(path)) {
                b.problem("auth.clientSecretFile", "cannot read " + path);
            } else {
                b.authClientSecret(() -> readSecretFile(path));
            }
        } else {
            b.problem("auth", "set clientSecretEnv, clientSecretFile or secret (where the rotator's client secret is)");
        }
        return b;
    }

    private static void secretFromStore(Builder b, String text, @Nullable Function<String, @Nullable SecretStore> stores) {
        SecretRef ref;
        try {
            ref = SecretRef.parse(text.trim());
        } catch (InvalidSecretRefException e) {
            b.problem("auth.secret", e.getMessage());
            return;
        }
        if (stores == null) {
            // validation only: which stores exist is checked when the rotator is made
            b.authClientSecret(() -> {
                throw new IllegalStateException("a rotator made for validation only");
            });
            return;
        }
        SecretStore store = stores.apply(ref.store());
        if (store == null) {
            b.problem("auth.secret", "names store '" + ref.store() + "', which is not configured");
            return;
        }
        String field = ref.field() == null ? CLIENT_SECRET_FIELD : ref.field();
        b.authClientSecret(() -> {
            try {
                SecretValue value = store.get(ref.path(), ref.selector()).value();
                return value.field(field);
            } catch (RotorException e) {
                // the message names the ref and the field, never a value
                throw new KeycloakCallException(Kind.UNAUTHENTICATED, 0, "cannot read the rotator's client secret from "
                        + SecretRef.of(ref.store(), ref.path()) + " (field '" + field + "'): " + e.getMessage(), e);
            }
        });
    }

    private static SecretValue readSecretFile(Path path) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            try {
                String text = new String(bytes, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new KeycloakCallException(Kind.UNAUTHENTICATED, 0, "the rotator's client secret file " + path + " is empty");
                }
                return SecretValue.ofUtf8(text);
            } finally {
                java.util.Arrays.fill(bytes, (byte) 0);
            }
        } catch (IOException e) {
            throw new KeycloakCallException(Kind.UNAUTHENTICATED, 0,
                    "cannot read the rotator's client secret file " + path + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The strategy as configured ({@code auto} is decided per run at PREPARE). */
    public KeycloakStrategy strategy() {
        return strategy;
    }

    /** The client ids this rotator rotates. */
    public List<String> clients() {
        return clients;
    }

    // ---------------------------------------------------------------- PREPARE

    @Override
    public void preflight(RotationContext context, @Nullable Secret current) {
        ClientCredentials cur = current == null ? null : ClientCredentials.of(current, Step.PREPARE, "CURRENT");
        if (cur != null && !clients.contains(cur.clientId())) {
            throw failed(context, Step.PREPARE, "CURRENT names client '" + cur.clientId()
                    + "', which this rotator does not rotate (clients: " + String.join(", ", clients) + ")");
        }
        call(context, Step.PREPARE, admin::authenticate);
        Map<String, Client> found = new LinkedHashMap<>();
        for (String clientId : clients) {
            Client client = call(context, Step.PREPARE, () -> admin.client(clientId));
            checkUsable(context, client);
            // the later steps need manage-clients; the lookup's answer says whether the rotator has it
            if (Boolean.FALSE.equals(client.manageable())) {
                throw failed(context, Step.PREPARE, "the rotator's client '" + admin.authClientId() + "' may see but not manage client '"
                        + clientId + "' in realm '" + admin.realm() + "': it lacks the role '" + KeycloakAdmin.MANAGE_CLIENTS
                        + "' of client 'realm-management'");
            }
            call(context, Step.PREPARE, () -> admin.secret(client)).destroy();
            found.put(clientId, client);
        }
        Client active = found.get(cur == null ? clients.get(0) : cur.clientId());
        KeycloakStrategy decided = switch (strategy) {
            case ALTERNATING -> KeycloakStrategy.ALTERNATING;
            case DUAL_SECRET -> {
                requirePolicy(context, active);
                yield KeycloakStrategy.DUAL_SECRET;
            }
            case AUTO -> decideAuto(context, active);
        };
        chosen.put(context.runId(), decided);
        LOG.info("run {} for {}: Keycloak realm '{}' at {} reachable, clients {} usable, strategy {}",
                context.runId(), context.path(), admin.realm(), admin.server(), clients, decided);
    }

    private KeycloakStrategy decideAuto(RotationContext context, Client active) {
        Optional<SecretRotationPolicy> policy;
        try {
            policy = readPolicy(active);
        } catch (KeycloakCallException e) {
            if (e.kind() == Kind.FORBIDDEN && clients.size() == 2) {
                LOG.info("run {}: cannot read the client policies of realm '{}' (no view-realm role): alternating between {}",
                        context.runId(), admin.realm(), clients);
                return KeycloakStrategy.ALTERNATING;
            }
            throw failed(context, Step.PREPARE, e.getMessage(), e);
        }
        if (policy.isPresent()) {
            logPolicy(context, active, policy.get());
            return KeycloakStrategy.DUAL_SECRET;
        }
        if (clients.size() == 2) {
            return KeycloakStrategy.ALTERNATING;
        }
        throw failed(context, Step.PREPARE, noPolicyMessage(active) + ", and only one client is configured: configure the policy"
                + " (server feature client-secret-rotation) or name a second client for the alternating strategy");
    }

    private void requirePolicy(RotationContext context, Client active) {
        Optional<SecretRotationPolicy> policy = call(context, Step.PREPARE, () -> readPolicy(active));
        if (policy.isEmpty()) {
            throw failed(context, Step.PREPARE, noPolicyMessage(active)
                    + ": configure one (server feature client-secret-rotation) or use the alternating strategy");
        }
        logPolicy(context, active, policy.get());
    }

    private String noPolicyMessage(Client active) {
        return "realm '" + admin.realm() + "' has no enabled client policy with a secret-rotation executor"
                + " (rotated-expiration-period above 0) that applies to client '" + active.clientId() + "'";
    }

    private Optional<SecretRotationPolicy> readPolicy(Client active) {
        return SecretRotationPolicy.find(admin.clientPolicies(), admin.clientProfiles(), active);
    }

    private void logPolicy(RotationContext context, Client active, SecretRotationPolicy p) {
        if (p.confirmed()) {
            LOG.info("run {}: client '{}' is under policy '{}' (profile '{}'): the old secret stays valid {} after each rotation;"
                    + " a secret expires {} after it is set", context.runId(), active.clientId(), p.policy(), p.profile(),
                    p.rotatedExpiration(), p.expiration());
        } else {
            LOG.info("run {}: policy '{}' (profile '{}') keeps old secrets for {}, but its conditions {} cannot be judged before APPLY;"
                    + " APPLY confirms that Keycloak kept the old secret", context.runId(), p.policy(), p.profile(),
                    p.rotatedExpiration(), p.uncheckedConditions());
        }
    }

    private void checkUsable(RotationContext context, Client c) {
        List<String> problems = new ArrayList<>();
        if (!c.enabled()) {
            problems.add("it is disabled");
        }
        if (c.publicClient() || c.bearerOnly()) {
            problems.add("it is " + (c.publicClient() ? "a public" : "a bearer-only") + " client, which has no secret");
        }
        if (c.authenticatorType() != null && !"client-secret".equals(c.authenticatorType())) {
            problems.add("it authenticates with '" + c.authenticatorType() + "', not 'client-secret'");
        }
        if (!c.serviceAccountsEnabled()) {
            problems.add("it has no service account, so VERIFY cannot prove a new secret with a client-credentials token request");
        }
        if (!problems.isEmpty()) {
            throw failed(context, Step.PREPARE, "client '" + c.clientId() + "' in realm '" + admin.realm() + "' cannot be rotated: "
                    + String.join("; ", problems));
        }
    }

    // ---------------------------------------------------------------- CREATE

    @Override
    public SecretValue create(RotationContext context, @Nullable Secret current) {
        ClientCredentials cur = current == null ? null : ClientCredentials.of(current, Step.CREATE, "CURRENT");
        KeycloakStrategy s = strategy;
        if (s == KeycloakStrategy.AUTO) {
            s = chosen.get(context.runId());
            if (s == null) {
                throw failed(context, Step.CREATE, "strategy auto is decided at PREPARE, which has not run for run "
                        + context.runId() + " in this process");
            }
        }
        String clientId;
        if (cur == null) {
            clientId = clients.get(0);
        } else if (s == KeycloakStrategy.ALTERNATING) {
            clientId = other(context, cur.clientId());
        } else {
            clientId = cur.clientId();
        }
        SecretValue secret = generator.next();
        try {
            return ClientCredentials.compose(current == null ? null : current.value(), clientId, secret);
        } finally {
            secret.destroy();
        }
    }

    private String other(RotationContext context, String clientId) {
        if (clients.size() != 2) {
            throw failed(context, Step.CREATE, "the alternating strategy needs two clients (configured: " + String.join(", ", clients) + ")");
        }
        return clients.get(0).equals(clientId) ? clients.get(1) : clients.get(0);
    }

    // ---------------------------------------------------------------- APPLY

    @Override
    public void apply(RotationContext context, @Nullable Secret current, Secret pending) {
        ClientCredentials next = ClientCredentials.of(pending, Step.APPLY, "PENDING");
        ClientCredentials cur = current == null ? null : ClientCredentials.of(current, Step.APPLY, "CURRENT");
        Client client = call(context, Step.APPLY, () -> admin.client(next.clientId()));
        SecretValue onServer = call(context, Step.APPLY, () -> admin.secret(client));
        try {
            if (next.sameSecret(onServer)) {
                LOG.info("run {}: client '{}' already has the PENDING secret: nothing to apply", context.runId(), client.clientId());
                return;
            }
            if (cur == null || !cur.clientId().equals(next.clientId())) {
                // alternating (or a first rotation): the idle client's secret is free to change
                setAndConfirm(context, Step.APPLY, client, next.secret());
                LOG.info("run {}: PENDING set on client '{}'", context.runId(), client.clientId());
                return;
            }
            applyDualSecret(context, client, cur, next, onServer);
        } finally {
            onServer.destroy();
        }
    }

    private void applyDualSecret(RotationContext context, Client client, ClientCredentials cur, ClientCredentials next,
            SecretValue onServer) {
        if (cur.sameSecret(onServer)) {
            call(context, Step.APPLY, () -> admin.regenerateSecret(client));
            if (!rotatedIs(context, Step.APPLY, client, cur.secret())) {
                // the policy did not apply to this regeneration: the old secret is gone; put it back at once
                setAndConfirm(context, Step.APPLY, client, cur.secret());
                throw failed(context, Step.APPLY, "Keycloak did not keep the old secret of client '" + client.clientId()
                        + "' as its rotated secret (no client-secret rotation policy applied to the regeneration);"
                        + " the old secret was set again and CURRENT works. Check the policy's conditions or use the alternating strategy");
            }
        } else if (rotatedIs(context, Step.APPLY, client, cur.secret())) {
            LOG.info("run {}: resuming: client '{}' already keeps CURRENT as its rotated secret", context.runId(), client.clientId());
        } else {
            throw failed(context, Step.APPLY, "the secret of client '" + client.clientId() + "' on Keycloak is neither CURRENT nor PENDING,"
                    + " and CURRENT is not its rotated secret: it was changed outside this rotation. Nothing was changed");
        }
        setAndConfirm(context, Step.APPLY, client, next.secret());
        if (!rotatedIs(context, Step.APPLY, client, cur.secret())) {
            throw failed(context, Step.APPLY, "Keycloak dropped the rotated (old) secret of client '" + client.clientId()
                    + "' when the new one was set");
        }
        LOG.info("run {}: PENDING set on client '{}'; CURRENT stays valid as its rotated secret", context.runId(), client.clientId());
    }

    // ---------------------------------------------------------------- VERIFY

    @Override
    public void verify(RotationContext context, Secret pending) {
        ClientCredentials next = ClientCredentials.of(pending, Step.VERIFY, "PENDING");
        KeycloakAdmin.GrantOutcome outcome = call(context, Step.VERIFY, () -> admin.clientCredentials(next.clientId(), next.secret()));
        switch (outcome) {
            case GRANTED -> LOG.info("run {}: client '{}' got a token with the PENDING secret", context.runId(), next.clientId());
            case REFUSED -> throw failed(context, Step.VERIFY, "Keycloak refused a client-credentials token request of client '"
                    + next.clientId() + "' in realm '" + admin.realm() + "' with the PENDING secret (HTTP 401)");
        }
    }

    // ---------------------------------------------------------------- rollback

    @Override
    public void rollback(RotationContext context, @Nullable Secret current, Secret pending) {
        ClientCredentials next = ClientCredentials.of(pending, Step.APPLY, "PENDING");
        ClientCredentials cur = current == null ? null : ClientCredentials.of(current, Step.APPLY, "CURRENT");
        Client client = call(context, Step.APPLY, () -> admin.client(next.clientId()));
        if (cur != null && cur.clientId().equals(next.clientId())) {
            SecretValue onServer = call(context, Step.APPLY, () -> admin.secret(client));
            try {
                if (!cur.sameSecret(onServer)) {
                    setAndConfirm(context, Step.APPLY, client, cur.secret());
                }
            } finally {
                onServer.destroy();
            }
            LOG.info("run {}: rolled back: client '{}' has the CURRENT secret again", context.runId(), client.clientId());
        } else {
            invalidate(context, Step.APPLY, client, next.secret());
            LOG.info("run {}: rolled back: the PENDING secret of client '{}' grants nothing", context.runId(), client.clientId());
        }
    }

    // ---------------------------------------------------------------- RETIRE

    @Override
    public void retire(RotationContext context, Secret previous, Secret current) {
        ClientCredentials prev = ClientCredentials.of(previous, Step.RETIRE, "PREVIOUS");
        ClientCredentials cur = ClientCredentials.of(current, Step.RETIRE, "CURRENT");
        boolean sameClient = prev.clientId().equals(cur.clientId());
        if (sameClient && prev.sameSecret(cur.secret())) {
            return; // nothing old to revoke
        }
        Client client = call(context, Step.RETIRE, () -> admin.client(prev.clientId()));
        if (sameClient) {
            SecretValue primary = call(context, Step.RETIRE, () -> admin.secret(client));
            try {
                if (prev.sameSecret(primary)) {
                    throw failed(context, Step.RETIRE, "client '" + client.clientId()
                            + "' still has the PREVIOUS secret as its primary secret: CURRENT is not applied, so nothing is retired");
                }
            } finally {
                primary.destroy();
            }
            if (rotatedIs(context, Step.RETIRE, client, prev.secret())) {
                call(context, Step.RETIRE, () -> admin.deleteRotatedSecret(client));
            }
        } else {
            invalidate(context, Step.RETIRE, client, prev.secret());
        }
        LOG.info("run {}: the PREVIOUS secret of client '{}' is revoked", context.runId(), client.clientId());
    }

    // ---------------------------------------------------------------- helpers

    /** Makes sure {@code secret} opens nothing on {@code client}: neither as its secret nor as its rotated one. */
    private void invalidate(RotationContext context, Step step, Client client, SecretValue secret) {
        SecretValue onServer = call(context, step, () -> admin.secret(client));
        try {
            if (secret.equals(onServer)) {
                call(context, step, () -> admin.regenerateSecret(client));
            }
        } finally {
            onServer.destroy();
        }
        // a rotation policy covering this client may have kept it as the rotated secret
        if (rotatedIs(context, step, client, secret)) {
            call(context, step, () -> admin.deleteRotatedSecret(client));
        }
    }

    private boolean rotatedIs(RotationContext context, Step step, Client client, SecretValue expected) {
        Optional<SecretValue> rotated = call(context, step, () -> admin.rotatedSecret(client));
        try {
            return rotated.isPresent() && rotated.get().equals(expected);
        } finally {
            rotated.ifPresent(SecretValue::destroy);
        }
    }

    private void setAndConfirm(RotationContext context, Step step, Client client, SecretValue secret) {
        call(context, step, () -> admin.setSecret(client, secret));
        SecretValue now = call(context, step, () -> admin.secret(client));
        try {
            if (!secret.equals(now)) {
                throw failed(context, step, "Keycloak did not keep the secret set on client '" + client.clientId()
                        + "' (a client policy may have replaced it)");
            }
        } finally {
            now.destroy();
        }
    }

    private <T> T call(RotationContext context, Step step, Supplier<T> call) {
        try {
            return call.get();
        } catch (KeycloakCallException e) {
            throw failed(context, step, e.getMessage(), e);
        }
    }

    private void call(RotationContext context, Step step, Runnable call) {
        call(context, step, () -> {
            call.run();
            return null;
        });
    }

    private static RotationException failed(RotationContext context, Step step, String message) {
        return failed(context, step, message, null);
    }

    private static RotationException failed(RotationContext context, Step step, String message, @Nullable Throwable cause) {
        return new RotationException(step, "secret://" + context.store() + "/" + context.path() + ": " + message, cause);
    }

    private static boolean isBlank(@Nullable String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        return "KeycloakClientSecretRotator[" + admin + ", strategy=" + strategy + ", clients=" + clients + "]";
    }

    /**
     * Builds a rotator; {@link #build()} reports every problem at once, each with the path of its
     * field as in {@link KeycloakRotatorSettings}.
     */
    public static final class Builder {
        private @Nullable URI serverUrl;
        private @Nullable String realm;
        private KeycloakStrategy strategy = KeycloakStrategy.AUTO;
        private @Nullable List<String> clients;
        private @Nullable String authRealm;
        private @Nullable String authClientId;
        private @Nullable Supplier<SecretValue> authClientSecret;
        private int secretLength = DEFAULT_SECRET_LENGTH;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration tokenRefreshMargin = DEFAULT_TOKEN_REFRESH_MARGIN;
        private Clock clock = Clock.systemUTC();
        private String fieldPrefix = "";
        private final List<ConfigProblem> early = new ArrayList<>();

        private Builder() {}

        /** Keycloak's base URL, e.g. {@code https://sso.example.com} (no {@code /realms}, no {@code /admin}). */
        public Builder serverUrl(URI serverUrl) {
            this.serverUrl = serverUrl;
            return this;
        }

        /** The realm of the clients to rotate. */
        public Builder realm(String realm) {
            this.realm = realm;
            return this;
        }

        public Builder strategy(KeycloakStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /** The client ids to rotate: one, or two for alternating. */
        public Builder clients(String... clientIds) {
            return clients(List.of(clientIds));
        }

        public Builder clients(List<String> clientIds) {
            this.clients = new ArrayList<>(clientIds);
            return this;
        }

        /** The realm of the rotator's own client; the target realm by default. */
        public Builder authRealm(String authRealm) {
            this.authRealm = authRealm;
            return this;
        }

        /** The rotator's own client id. */
        public Builder authClientId(String authClientId) {
            this.authClientId = authClientId;
            return this;
        }

        /**
         * Where the rotator's own client secret comes from; asked each time a token is fetched.
         * The rotator destroys each value it gets once used.
         */
        public Builder authClientSecret(Supplier<SecretValue> authClientSecret) {
            this.authClientSecret = authClientSecret;
            return this;
        }

        /** Characters of each new client secret; 40 by default. */
        public Builder secretLength(int secretLength) {
            this.secretLength = secretLength;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** How long before its expiry the rotator replaces its own token; 30 s by default. */
        public Builder tokenRefreshMargin(Duration tokenRefreshMargin) {
            this.tokenRefreshMargin = tokenRefreshMargin;
            return this;
        }

        /** The clock that times the rotator's own token. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The path of these settings in a configuration, put before each field name in problem reports. */
        public Builder fieldPrefix(String fieldPrefix) {
            this.fieldPrefix = fieldPrefix == null ? "" : fieldPrefix;
            return this;
        }

        void problem(String field, String message) {
            early.add(new ConfigProblem(field(field), message));
        }

        private String field(String name) {
            return fieldPrefix.isEmpty() ? name : fieldPrefix + "." + name;
        }

        List<ConfigProblem> problems() {
            List<ConfigProblem> problems = new ArrayList<>(early);
            if (serverUrl == null) {
                add(problems, "serverUrl", "is required");
            } else if (!("http".equals(serverUrl.getScheme()) || "https".equals(serverUrl.getScheme())) || serverUrl.getHost() == null) {
                add(problems, "serverUrl", "must be an http or https URL with a host (was '" + serverUrl + "')");
            } else if (serverUrl.getQuery() != null || serverUrl.getFragment() != null) {
                add(problems, "serverUrl", "must not have a query or fragment");
            } else if (serverUrl.getPath() != null && (serverUrl.getPath().contains("/realms") || serverUrl.getPath().contains("/admin"))) {
                add(problems, "serverUrl", "is Keycloak's base URL, without /realms/... or /admin/...");
            }
            if (isBlank(realm)) {
                add(problems, "realm", "is required");
            }
            if (authRealm != null && authRealm.isBlank()) {
                add(problems, "auth.realm", "must not be blank");
            }
            if (strategy == null) {
                add(problems, "strategy", "is required");
            }
            checkClients(problems);
            if (isBlank(authClientId)) {
                add(problems, "auth.clientId", "is required");
            }
            // a bad clientSecretEnv or clientSecretFile is reported already
            if (authClientSecret == null && early.stream().noneMatch(p -> p.field().startsWith(field("auth")))) {
                add(problems, "auth.clientSecret", "is required");
            }
            if (secretLength < MIN_SECRET_LENGTH || secretLength > MAX_SECRET_LENGTH) {
                add(problems, "secretLength", "must be between " + MIN_SECRET_LENGTH + " and " + MAX_SECRET_LENGTH + " (was " + secretLength + ")");
            }
            checkPositive(problems, "connectTimeout", connectTimeout);
            checkPositive(problems, "requestTimeout", requestTimeout);
            if (tokenRefreshMargin == null || tokenRefreshMargin.isNegative()) {
                add(problems, "tokenRefreshMargin", "must be zero or positive (was " + tokenRefreshMargin + ")");
            }
            if (clock == null) {
                add(problems, "clock", "is required");
            }
            return problems;
        }

        /** Adds a problem unless one was already found for the field or the setting that holds it. */
        private void add(List<ConfigProblem> problems, String name, String message) {
            String path = field(name);
            boolean covered = early.stream().anyMatch(p -> path.equals(p.field()) || path.startsWith(p.field() + "."));
            if (!covered) {
                problems.add(new ConfigProblem(path, message));
            }
        }

        private void checkClients(List<ConfigProblem> problems) {
            if (clients == null || clients.isEmpty()) {
                add(problems, "clients", "is required (one client id, or two for alternating)");
                return;
            }
            if (clients.stream().anyMatch(Builder::isBlankOrNull)) {
                add(problems, "clients", "client ids must not be blank");
                return;
            }
            if (new HashSet<>(clients).size() != clients.size()) {
                add(problems, "clients", "names a client twice");
            }
            if (clients.size() > 2) {
                add(problems, "clients", "takes one client id, or two for alternating (was " + clients.size() + ")");
            } else if (strategy == KeycloakStrategy.ALTERNATING && clients.size() != 2) {
                add(problems, "clients", "the alternating strategy needs two clients");
            } else if (strategy == KeycloakStrategy.DUAL_SECRET && clients.size() != 1) {
                add(problems, "clients", "the dual-secret strategy rotates one client");
            }
        }

        private static boolean isBlankOrNull(@Nullable String s) {
            return s == null || s.isBlank();
        }

        private void checkPositive(List<ConfigProblem> problems, String name, @Nullable Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                add(problems, name, "must be positive (was " + d + ")");
            }
        }

        /** @throws InvalidConfigurationException listing every problem */
        public KeycloakClientSecretRotator build() {
            InvalidConfigurationException.throwIfAny(problems());
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            List<String> ids = List.copyOf(Objects.requireNonNull(clients));
            KeycloakAdmin admin = new KeycloakAdmin(Objects.requireNonNull(serverUrl), Objects.requireNonNull(realm),
                    authRealm == null ? realm : authRealm, Objects.requireNonNull(authClientId), Objects.requireNonNull(authClientSecret),
                    http, requestTimeout, tokenRefreshMargin, clock);
            return new KeycloakClientSecretRotator(admin, strategy, ids, new SecretGenerator(new SecureRandom(), secretLength));
        }
    }
}
