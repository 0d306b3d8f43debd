package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.rotor.AccessDeniedException;
import dev.rotor.Health;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Azure-specific behaviour on the fake Key Vault: soft delete, attributes, limits, the bearer
 * challenge, error mapping and what each operation costs in requests.
 */
class AzureSecretStoreIT {

    private static FakeKeyVaultServer server;
    private static AzureSecretStore store;
    private static SecretClient plain;

    @BeforeAll
    static void start() {
        server = FakeKeyVaultServer.start();
        store = FakeVault.store("azure", server);
        plain = FakeVault.client(server, new StaticTokenCredential(server.token()));
    }

    @AfterAll
    static void stop() {
        store.close();
        server.close();
    }

    @AfterEach
    void resetFaults() {
        server.onRequest(null);
        server.purgeProtection(false);
    }

    private static String path(String name) {
        return "it/" + UUID.randomUUID().toString().substring(0, 8) + "/" + name;
    }

    // ---- the bearer challenge and credentials ------------------------------------------------

    @Test
    void theClientAnswersTheBearerChallengeWithATokenForTheVaultResource() {
        try (FakeKeyVaultServer fresh = FakeKeyVaultServer.start()) {
            StaticTokenCredential credential = new StaticTokenCredential(fresh.token());
            AzureSecretStore s = FakeVault.store("azure", fresh, AzureStoreSettings.of(fresh.vaultUrl()), new MoveLocks(4), credential);
            s.put("challenge/check", SecretValue.ofUtf8("v"), PutOptions.current());

            List<FakeKeyVaultServer.Request> requests = fresh.requests();
            assertThat(requests.get(0).authorized()).as("the first request carries no token").isFalse();
            assertThat(requests.get(1).authorized()).as("the retried request carries the token").isTrue();
            assertThat(requests.stream().skip(1)).allMatch(FakeKeyVaultServer.Request::authorized);
            assertThat(credential.scopesAskedFor()).contains("https://vault.azure.net/.default");
            assertThat(s.get("challenge/check").value().asUtf8()).isEqualTo("v");
        }
    }

    @Test
    void wrongCredentialsAreAccessDeniedNamingStoreAndPathButNotTheToken() {
        AzureSecretStore wrong = FakeVault.store("azure", server, AzureStoreSettings.of(server.vaultUrl()), new MoveLocks(4),
                new StaticTokenCredential("token-the-vault-never-issued"));

        assertThatThrownBy(() -> wrong.get("some/secret"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("store 'azure'")
                .hasMessageContaining("some/secret")
                .hasMessageContaining("rejected the credentials")
                .hasMessageContaining("401")
                .hasMessageNotContaining("token-the-vault-never-issued");
        Health health = wrong.health();
        assertThat(health.up()).isFalse();
        assertThat(health.detail()).contains("rejected the credentials");
    }

    @Test
    void aMissingPermissionIsAccessDeniedNamingThePath() {
        String readOnly = server.tokenWith(EnumSet.of(FakeKeyVaultServer.Permission.GET));
        AzureSecretStore reader = FakeVault.store("azure", server, AzureStoreSettings.of(server.vaultUrl()), new MoveLocks(4),
                new StaticTokenCredential(readOnly));
        String p = path("guarded");

        assertThatThrownBy(() -> reader.put(p, SecretValue.ofUtf8("v"), PutOptions.current()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(p)
                .hasMessageContaining("lacks permission")
                .hasMessageContaining("403");
        assertThat(reader.health().up()).as("reading is allowed, so the store is up").isTrue();
    }

    // ---- errors ---------------------------------------------------------------------------------

    @Test
    void throttlingIsRetryableAndCarriesRetryAfter() {
        server.failNext(1, 429, "Throttled", Duration.ofSeconds(7));

        assertThatThrownBy(() -> store.get(path("busy")))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                })
                .hasMessageContaining("throttled")
                .hasMessageContaining("Throttled");
    }

    @Test
    void serverErrorsAreRetryable() {
        server.failNext(1, 503, "ServiceUnavailable", null);
        assertThatThrownBy(() -> store.get(path("down")))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue());
        server.failNext(1, 500, "InternalError", Duration.ofSeconds(2));
        assertThatThrownBy(() -> store.list(""))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
                });
    }

    @Test
    void anUnreachableVaultIsRetryableAndHealthSaysDown() {
        FakeKeyVaultServer gone = FakeKeyVaultServer.start();
        AzureSecretStore s = FakeVault.store("azure", gone);
        s.put("reach/me", SecretValue.ofUtf8("v"), PutOptions.current());
        gone.close();

        assertThatThrownBy(() -> s.get("reach/me"))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("cannot reach Azure Key Vault");
        assertThat(s.health().up()).isFalse();
    }

    @Test
    void healthIsUpAndCostsOneRequest() {
        // the first request of a process to a vault is answered with the bearer challenge
        store.health();
        server.clearRequests();

        assertThat(store.health().up()).isTrue();
        assertThat(server.requests()).hasSize(1);
    }

    // ---- names and limits -----------------------------------------------------------------------

    @Test
    void aPathWhoseAzureNameIsTooLongIsRefusedNamingThePathAndNothingIsStored() {
        String p = "it/" + "Upper".repeat(20);
        server.clearRequests();

        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("v"), PutOptions.current()))
                .isInstanceOf(InvalidSecretRefException.class)
                .hasMessageContaining(p)
                .hasMessageContaining("too long");
        assertThatThrownBy(() -> store.get(p)).isInstanceOf(InvalidSecretRefException.class);
        assertThat(server.requests()).as("refused before any request").isEmpty();
    }

    @Test
    void aBinaryValueOverItsLimitIsRefusedNamingPathAndLimit() {
        String p = path("big-binary");
        byte[] bytes = new byte[AzureSecretStore.MAX_BINARY_VALUE_BYTES + 1];
        bytes[0] = (byte) 0xff;
        byte[] fits = new byte[AzureSecretStore.MAX_BINARY_VALUE_BYTES];
        fits[0] = (byte) 0xff;

        assertThatThrownBy(() -> store.put(p, SecretValue.of(bytes), PutOptions.current()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(p)
                .hasMessageContaining("18750");
        store.put(p, SecretValue.of(fits), PutOptions.current());
        assertThat(store.get(p).value().bytes()).containsExactly(fits);
        store.delete(p);
    }

    @Test
    void reservedTooManyOrTooLongTagsAreRefusedNamingTheTag() {
        String p = path("tags");
        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("v"), PutOptions.current().withTags(Map.of("rotor", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'rotor'").hasMessageContaining("reserved");
        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("v"), PutOptions.current().withTags(Map.of("azure.enabled", "false"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("azure.enabled");
        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("v"), PutOptions.current().withTags(Map.of("note", "x".repeat(257)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'note'").hasMessageContaining("256");
        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("v"), PutOptions.current().withTags(Map.of("azure.expiresOn", "tomorrow"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("azure.expiresOn").hasMessageContaining("ISO-8601");
        Map<String, String> fifteen = new HashMap<>();
        for (int i = 0; i < 15; i++) {
            fifteen.put("t" + i, "v");
        }
        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("v"), PutOptions.current().withTags(fifteen)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("15 tags").hasMessageContaining("14");
        assertThat(store.list(p)).isEmpty();
    }

    // ---- attributes -----------------------------------------------------------------------------

    @Test
    void expiryAndNotBeforeAreAzureAttributesShownAsTags() {
        String p = path("attributes");
        Map<String, String> tags = Map.of("owner", "team-a", "azure.expiresOn", "2031-01-01T00:00:00Z",
                "azure.notBefore", "2024-06-01T12:00:00Z");

        VersionInfo v = store.put(p, SecretValue.ofUtf8("v"), PutOptions.pending().withTags(tags));

        assertThat(v.tags()).isEqualTo(tags);
        KeyVaultSecret raw = plain.getSecret(AzureNames.pendingName(p));
        assertThat(raw.getProperties().getExpiresOn().toInstant()).isEqualTo(Instant.parse("2031-01-01T00:00:00Z"));
        assertThat(raw.getProperties().getNotBefore().toInstant()).isEqualTo(Instant.parse("2024-06-01T12:00:00Z"));
        assertThat(raw.getProperties().getTags()).containsEntry("owner", "team-a").doesNotContainKey("azure.expiresOn");

        store.promote(p, v.id(), null);
        KeyVaultSecret current = plain.getSecret(AzureNames.secretName(p));
        assertThat(current.getProperties().getExpiresOn().toInstant()).as("promotion keeps the attributes")
                .isEqualTo(Instant.parse("2031-01-01T00:00:00Z"));
        assertThat(store.get(p).version().tags()).isEqualTo(tags);
        store.delete(p);
    }

    @Test
    void aVersionDisabledInAzureShowsAsSuchAndCannotBeRead() {
        String p = path("disabled");
        VersionInfo v1 = store.put(p, SecretValue.ofUtf8("old"), PutOptions.current());
        store.put(p, SecretValue.ofUtf8("new"), PutOptions.current());
        SecretProperties old = plain.getSecret(AzureNames.secretName(p), v1.id()).getProperties();
        plain.updateSecretProperties(old.setEnabled(false));

        assertThat(store.versions(p).get(0).tags()).containsEntry("azure.enabled", "false");
        assertThatThrownBy(() -> store.get(p, Selector.PREVIOUS))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(p)
                .hasMessageContaining("disabled");
        assertThat(store.get(p).value().asUtf8()).isEqualTo("new");
        store.delete(p);
    }

    // ---- soft delete ----------------------------------------------------------------------------

    @Test
    void deletePurgesSoTheNameIsFreeAtOnce() {
        String p = path("purged");
        store.put(p, SecretValue.ofUtf8("one"), PutOptions.current());
        store.put(p, SecretValue.ofUtf8("two"), PutOptions.pending());

        store.delete(p);

        assertThat(server.deletedNames()).doesNotContain(AzureNames.secretName(p), AzureNames.pendingName(p));
        assertThat(server.secretNames()).doesNotContain(AzureNames.secretName(p), AzureNames.pendingName(p));
        store.put(p, SecretValue.ofUtf8("fresh"), PutOptions.current());
        assertThat(store.versions(p)).hasSize(1);
        store.delete(p);
    }

    @Test
    void whenPurgingIsNotAllowedTheNameStaysHeldAndAPutSaysSoClearly() {
        server.purgeProtection(true);
        String p = path("held");
        store.put(p, SecretValue.ofUtf8("one"), PutOptions.current());

        store.delete(p);

        assertThatThrownBy(() -> store.get(p)).isInstanceOf(SecretNotFoundException.class);
        assertThat(store.list(p)).isEmpty();
        assertThat(server.deletedNames()).contains(AzureNames.secretName(p));
        assertThatThrownBy(() -> store.put(p, SecretValue.ofUtf8("two"), PutOptions.current()))
                .isInstanceOfSatisfying(DeletedSecretException.class, e -> {
                    assertThat(e.path()).isEqualTo(p);
                    assertThat(e.azureName()).isEqualTo(AzureNames.secretName(p));
                })
                .hasMessageContaining(p)
                .hasMessageContaining("soft-deleted")
                .hasMessageContaining("recoverDeleted");
    }

    @Test
    void recoverDeletedBringsBackTheOldVersionsAndWritesOnTop() {
        server.purgeProtection(true);
        String p = path("recovered");
        VersionInfo v1 = store.put(p, SecretValue.ofUtf8("one"), PutOptions.current());
        VersionInfo pending = store.put(p, SecretValue.ofUtf8("candidate"), PutOptions.pending());
        store.delete(p);
        AzureSecretStore recovering = FakeVault.store("azure", server,
                AzureStoreSettings.of(server.vaultUrl()).withRecoverDeleted(true), MoveLocks.SHARED);

        VersionInfo v2 = recovering.put(p, SecretValue.ofUtf8("two"), PutOptions.current());

        assertThat(server.deletedNames()).doesNotContain(AzureNames.secretName(p), AzureNames.pendingName(p));
        assertThat(recovering.versions(p)).extracting(VersionInfo::id).containsExactly(v1.id(), pending.id(), v2.id());
        assertThat(recovering.get(p).value().asUtf8()).isEqualTo("two");
        assertThat(recovering.get(p, Selector.PREVIOUS).version().id()).isEqualTo(v1.id());
        assertThat(recovering.get(p, Selector.PENDING).version().id()).as("the PENDING secret came back too").isEqualTo(pending.id());
        server.purgeProtection(false);
        recovering.delete(p);
    }

    // ---- list -----------------------------------------------------------------------------------

    @Test
    void listShowsPathsOnceAndSkipsNamesNoPathMapsTo() {
        String p = path("listed");
        store.put(p, SecretValue.ofUtf8("v"), PutOptions.current());
        store.put(p, SecretValue.ofUtf8("w"), PutOptions.pending());
        plain.setSecret("not-0a--rotor-9name", "foreign");

        assertThat(store.list(p)).containsExactly(p);
        assertThat(store.list("")).contains(p).noneMatch(x -> x.contains("9name"));
        store.delete(p);
    }

    // ---- cost -------------------------------------------------------------------------------------

    @Test
    void readingCurrentCostsOneRequestAndOtherOperationsFew() {
        String p = path("cost");
        store.health();
        VersionInfo v1 = store.put(p, SecretValue.ofUtf8("one"), PutOptions.current());
        VersionInfo v2 = store.put(p, SecretValue.ofUtf8("two"), PutOptions.pending());

        Map<String, Integer> cost = new LinkedHashMap<>();
        cost.put("get CURRENT", requests(() -> store.get(p)));
        cost.put("get PENDING", requests(() -> store.get(p, Selector.PENDING)));
        cost.put("get PREVIOUS (none)", requests(() -> {
            assertThatThrownBy(() -> store.get(p, Selector.PREVIOUS)).isInstanceOf(SecretNotFoundException.class);
        }));
        cost.put("put PENDING", requests(() -> store.put(p, SecretValue.ofUtf8("three"), PutOptions.pending())));
        cost.put("moveStage PENDING", requests(() -> store.moveStage(p, Stage.PENDING, v2.id(), null)));
        cost.put("promote (expected CURRENT)", requests(() -> store.promote(p, v2.id(), v1.id())));
        cost.put("versions", requests(() -> store.versions(p)));
        cost.put("put CURRENT", requests(() -> store.put(p, SecretValue.ofUtf8("four"), PutOptions.current())));

        System.out.println("requests per operation on the fake: " + cost);
        assertThat(cost.get("get CURRENT")).isEqualTo(1);
        assertThat(cost.get("get PENDING")).isEqualTo(2);
        assertThat(cost.get("put CURRENT")).isEqualTo(2);
        assertThat(cost.get("put PENDING")).isEqualTo(2);
        assertThat(cost.get("promote (expected CURRENT)")).isLessThanOrEqualTo(8);
        assertThat(cost.values()).allMatch(c -> c <= 8);
        store.delete(p);
    }

    private static int requests(Runnable op) {
        server.clearRequests();
        op.run();
        return server.requests().size();
    }
}
