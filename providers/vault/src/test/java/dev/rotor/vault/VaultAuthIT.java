package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AccessDeniedException;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.SecretValue;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.testkit.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins, renewal and re-authentication, against the fake Vault server with a clock the test moves
 * and a scheduler the test fires: nothing here sleeps.
 */
class VaultAuthIT {

    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler();
    private final Map<String, String> env = new HashMap<>();
    private FakeVaultServer fake;
    private VaultSecretStore store;

    @BeforeEach
    void startFake() {
        fake = FakeVaultServer.start(clock);
        fake.policy("rotor", "secret/", "read", "create", "update", "delete", "list");
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        fake.close();
    }

    private VaultSecretStore open(Map<String, Object> auth) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("address", fake.address());
        settings.put("auth", auth);
        store = new VaultStoreProvider().open(new StoreConfig("auth-test", "vault", settings),
                new StoreContext(clock, env::get, dir), scheduler);
        return store;
    }

    private void assertWorks() {
        store.put("app/db", SecretValue.ofUtf8("s3cret"), PutOptions.current());
        assertThat(store.get("app/db").value().asUtf8()).isEqualTo("s3cret");
    }

    private VaultSecretStore openAppRole(Duration ttl, Duration maxTtl) throws Exception {
        fake.enableAppRole("approle", "role-1", "secret-id-1", ttl, maxTtl, "rotor");
        Files.writeString(dir.resolve("secret-id"), "secret-id-1\n");
        return open(Map.of("method", "approle", "roleId", "role-1", "secretIdFile", "secret-id"));
    }

    // ---- the three methods -----------------------------------------------------------------

    @Test
    void tokenFromTheDefaultEnvironmentVariable() {
        env.put("VAULT_TOKEN", fake.createToken(HOUR, true, Duration.ofHours(24), "rotor"));

        open(Map.of());

        assertWorks();
        assertThat(fake.requests("GET auth/token/lookup-self")).isEqualTo(1);
    }

    @Test
    void tokenFromAFile() throws Exception {
        Files.writeString(dir.resolve("token"), fake.createToken(HOUR, true, Duration.ofHours(24), "rotor") + "\n");

        open(Map.of("method", "token", "tokenFile", "token"));

        assertWorks();
    }

    @Test
    void aWrongTokenIsAccessDeniedNamingTheStoreAndWhereTheTokenCameFrom() {
        env.put("MY_TOKEN", "hvs.not-a-token");

        assertThatThrownBy(() -> open(Map.of("tokenEnv", "MY_TOKEN")))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("store 'auth-test'")
                .hasMessageContaining("MY_TOKEN")
                .hasMessageNotContaining("hvs.not-a-token");
        assertThat(scheduler.isClosed()).as("nothing left running").isTrue();
    }

    @Test
    void aMissingTokenVariableNamesTheField() {
        assertThatThrownBy(() -> open(Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("stores.auth-test.auth.tokenEnv")
                .hasMessageContaining("VAULT_TOKEN is not set");
    }

    @Test
    void appRoleLogin() throws Exception {
        openAppRole(HOUR, Duration.ofHours(24));

        assertWorks();
        assertThat(fake.requests("POST auth/approle/login")).isEqualTo(1);
    }

    @Test
    void appRoleWithAWrongSecretIdIsAccessDeniedNamingTheStore() throws Exception {
        fake.enableAppRole("approle", "role-1", "secret-id-1", HOUR, HOUR, "rotor");
        env.put("SECRET_ID", "wrong-secret-id");

        assertThatThrownBy(() -> open(Map.of("method", "approle", "roleId", "role-1", "secretIdEnv", "SECRET_ID")))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("store 'auth-test'")
                .hasMessageContaining("auth/approle")
                .hasMessageNotContaining("wrong-secret-id");
    }

    @Test
    void kubernetesLoginWithTheServiceAccountTokenFile() throws Exception {
        fake.enableKubernetes("k8s-prod", "billing", "eyJ.service-account.jwt", HOUR, Duration.ofHours(24), "rotor");
        Files.writeString(dir.resolve("sa-token"), "eyJ.service-account.jwt");

        open(Map.of("method", "kubernetes", "role", "billing", "jwtFile", "sa-token", "mount", "k8s-prod"));

        assertWorks();
        assertThat(fake.requests("POST auth/k8s-prod/login")).isEqualTo(1);
    }

    @Test
    void kubernetesLoginWithAWrongJwtIsAccessDenied() throws Exception {
        fake.enableKubernetes("kubernetes", "billing", "eyJ.right", HOUR, HOUR, "rotor");
        Files.writeString(dir.resolve("sa-token"), "eyJ.wrong");

        assertThatThrownBy(() -> open(Map.of("method", "kubernetes", "role", "billing", "jwtFile", "sa-token")))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("store 'auth-test'")
                .hasMessageContaining("role 'billing'");
    }

    // ---- renewal and re-authentication --------------------------------------------------------

    @Test
    void aRenewableTokenIsRenewedAtTwoThirdsOfItsTtl() throws Exception {
        openAppRole(HOUR, Duration.ofHours(24));
        assertThat(scheduler.pendingDelay()).isEqualTo(Duration.ofMinutes(40));

        clock.advance(Duration.ofMinutes(40));
        scheduler.runPending();

        assertThat(fake.requests("POST auth/token/renew-self")).isEqualTo(1);
        assertThat(fake.requests("POST auth/approle/login")).isEqualTo(1);
        assertThat(scheduler.pendingDelay()).isEqualTo(Duration.ofMinutes(40));
        clock.advance(Duration.ofMinutes(30)); // past the first TTL: only the renewal keeps the token alive
        assertWorks();
        assertThat(fake.requests("POST auth/approle/login")).isEqualTo(1);
    }

    @Test
    void aRequestThatFindsTheRenewalOverdueRenewsInline() throws Exception {
        openAppRole(HOUR, Duration.ofHours(24));

        clock.advance(Duration.ofMinutes(50)); // the scheduler did not fire (a paused process)
        assertWorks();

        assertThat(fake.requests("POST auth/token/renew-self")).isEqualTo(1);
        assertThat(store.tokens().renewAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(40)));
    }

    @Test
    void aFailedRenewalLogsInAgain() throws Exception {
        openAppRole(HOUR, Duration.ofHours(24));
        fake.interceptor(r -> r.path().equals("auth/token/renew-self") ? FakeVaultServer.Response.error(500, "internal error") : null);

        clock.advance(Duration.ofMinutes(40));
        scheduler.runPending();

        assertThat(fake.requests("POST auth/approle/login")).isEqualTo(2);
        fake.interceptor(null);
        clock.advance(Duration.ofMinutes(30));
        assertWorks();
    }

    @Test
    void aRenewalCappedByTheMaxTtlLeadsToAFreshLoginNextTime() throws Exception {
        openAppRole(HOUR, Duration.ofMinutes(80));

        clock.advance(Duration.ofMinutes(40));
        scheduler.runPending(); // renewal grants only 40 of the 60 minutes asked
        assertThat(fake.requests("POST auth/token/renew-self")).isEqualTo(1);
        assertThat(scheduler.pendingDelay()).isEqualTo(Duration.ofSeconds(1600)); // 2/3 of 40 minutes

        clock.advance(scheduler.pendingDelay());
        scheduler.runPending();

        assertThat(fake.requests("POST auth/token/renew-self")).isEqualTo(1);
        assertThat(fake.requests("POST auth/approle/login")).isEqualTo(2);
        clock.advance(Duration.ofMinutes(30));
        assertWorks();
    }

    @Test
    void aFailedLoginIsRetriedLaterAndTheOldTokenServesMeanwhile() throws Exception {
        fake.enableAppRole("approle", "role-1", "secret-id-1", HOUR, Duration.ofHours(24), "rotor");
        env.put("SECRET_ID", "secret-id-1");
        open(Map.of("method", "approle", "roleId", "role-1", "secretIdEnv", "SECRET_ID"));
        fake.interceptor(r -> r.path().startsWith("auth/") && !r.path().equals("auth/token/lookup-self")
                ? FakeVaultServer.Response.error(503, "Vault is sealed") : null);

        clock.advance(Duration.ofMinutes(40));
        scheduler.runPending();

        assertThat(scheduler.pendingDelay()).isEqualTo(Duration.ofSeconds(30)); // capped retry, token has 20 minutes left
        fake.interceptor(null);
        assertWorks();
    }

    @Test
    void aRevokedTokenIsNoticedOnA403AndReplacedByANewLogin() throws Exception {
        openAppRole(HOUR, Duration.ofHours(24));
        store.put("app/db", SecretValue.ofUtf8("v1"), PutOptions.current());
        int tokensBefore = fake.liveTokens();

        fake.revoke(store.tokens().token());

        assertThat(store.get("app/db").value().asUtf8()).isEqualTo("v1");
        assertThat(fake.requests("POST auth/approle/login")).isEqualTo(2);
        assertThat(fake.liveTokens()).isLessThanOrEqualTo(tokensBefore);
    }

    @Test
    void aPolicyDenialStaysAccessDeniedNamingStoreAndPathWithoutLoggingInAgain() throws Exception {
        fake.policy("read-only", "secret/data/", "read");
        env.put("VAULT_TOKEN", fake.createToken(HOUR, true, Duration.ofHours(24), "read-only"));
        open(Map.of());

        assertThatThrownBy(() -> store.put("app/db", SecretValue.ofUtf8("x"), PutOptions.current()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("store 'auth-test'")
                .hasMessageContaining("app/db")
                .hasMessageContaining("permission denied");
        assertThat(fake.requests("GET auth/token/lookup-self")).isEqualTo(2); // at open, and to tell policy from bad token
    }

    @Test
    void aNonRenewableTokenFromAFileIsReadAgainBeforeItExpires() throws Exception {
        Path file = dir.resolve("agent-token");
        Files.writeString(file, fake.createToken(HOUR, false, HOUR, "rotor"));
        open(Map.of("tokenFile", file.toString()));
        clock.advance(scheduler.pendingDelay());
        String next = fake.createToken(HOUR, false, HOUR, "rotor");
        Files.writeString(file, next); // as Vault Agent would
        scheduler.runPending();

        assertThat(store.tokens().token()).isEqualTo(next);
        clock.advance(Duration.ofMinutes(40));
        assertWorks();
    }

    @Test
    void aTokenThatNeverExpiresIsNotScheduled() {
        env.put("VAULT_TOKEN", fake.rootToken());

        open(Map.of());

        assertThat(scheduler.hasPending()).isFalse();
        assertThat(store.tokens().renewAt()).isNull();
    }

    @Test
    void closingTheStoreStopsTheScheduler() throws Exception {
        openAppRole(HOUR, Duration.ofHours(24));

        store.close();

        assertThat(scheduler.isClosed()).isTrue();
        assertThat(scheduler.hasPending()).isFalse();
    }

    @Test
    void aNamespaceKeepsTheStoreInItsOwnNamespace() throws Exception {
        String token = fake.createToken("team-a", HOUR, true, Duration.ofHours(24), "rotor");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("address", fake.address());
        settings.put("namespace", "team-a");
        env.put("VAULT_TOKEN", token);
        store = new VaultStoreProvider().open(new StoreConfig("auth-test", "vault", settings), new StoreContext(clock, env::get, dir), scheduler);

        assertWorks();

        env.put("VAULT_TOKEN", fake.rootToken());
        try (VaultSecretStore root = new VaultStoreProvider().open(
                new StoreConfig("root", "vault", Map.of("address", fake.address())), new StoreContext(clock, env::get, dir), new ManualScheduler())) {
            assertThat(root.list("")).isEmpty();
        }
    }
}
