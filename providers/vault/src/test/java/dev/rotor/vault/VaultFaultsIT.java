package dev.rotor.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.SecretValue;
import dev.rotor.testkit.Canary;
import dev.rotor.testkit.LeakChecker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How Vault's error answers reach the caller: typed, retryable where it helps, and never quoting a body. */
class VaultFaultsIT {

    private FakeVaultServer fake;
    private VaultSecretStore store;

    @BeforeEach
    void open() {
        fake = FakeVaultServer.start(Clock.systemUTC());
        store = new VaultStoreProvider().open(
                new dev.rotor.spi.StoreConfig("faults", "vault", Map.of("address", fake.address())),
                new dev.rotor.spi.StoreContext(Clock.systemUTC(), Map.of("VAULT_TOKEN", fake.rootToken())::get, java.nio.file.Path.of("")),
                new ManualScheduler());
        store.put("app/db", SecretValue.ofUtf8("value"), PutOptions.current());
    }

    @AfterEach
    void close() {
        store.close();
        fake.close();
    }

    @Test
    void throttlingIsRetryableAndCarriesRetryAfter() {
        fake.interceptor(r -> FakeVaultServer.Response.error(429, "request path \"secret/data/app/db\": rate limit quota exceeded",
                Map.of("Retry-After", "7")));

        Throwable t = catchThrowable(() -> store.get("app/db"));

        assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("faults").hasMessageContaining("429");
        ProviderUnavailableException e = (ProviderUnavailableException) t;
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    }

    @Test
    void aSealedVaultIsRetryableAndHealthSaysSealed() {
        fake.seal(true);

        assertThatThrownBy(() -> store.get("app/db"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("Vault is sealed")
                .satisfies(e -> assertThat(((ProviderUnavailableException) e).isRetryable()).isTrue());
        assertThat(store.health().up()).isFalse();
        assertThat(store.health().detail()).contains("sealed");

        fake.seal(false);
        assertThat(store.health().up()).isTrue();
        assertThat(store.get("app/db").value().asUtf8()).isEqualTo("value");
    }

    @Test
    void serverErrorsAreRetryableAndTheirBodiesNeverReachTheException() {
        Canary canary = Canary.create();
        fake.interceptor(r -> new FakeVaultServer.Response(500,
                "{\"errors\":[\"internal error\"],\"data\":{\"password\":\"" + canary.text() + "\"}}", Map.of()));

        Throwable t = catchThrowable(() -> store.get("app/db"));

        assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("internal error");
        assertThat(((ProviderUnavailableException) t).isRetryable()).isTrue();
        LeakChecker.assertNoCanaryIn("the exception for a 500", stackTrace(t), canary);
    }

    @Test
    void aBadRequestIsAPlainRotorErrorWithVaultsReason() {
        fake.interceptor(r -> r.method().equals("POST") ? FakeVaultServer.Response.error(400, "no data provided") : null);

        assertThatThrownBy(() -> store.put("app/db", SecretValue.ofUtf8("x"), PutOptions.current()))
                .isExactlyInstanceOf(RotorException.class)
                .hasMessageContaining("no data provided")
                .hasMessageContaining("HTTP 400");
    }

    @Test
    void anUnreachableVaultIsRetryableAndNamesTheAddress() {
        fake.close();

        Throwable t = catchThrowable(() -> store.get("app/db"));

        assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining(fake.address());
        assertThat(((ProviderUnavailableException) t).isRetryable()).isTrue();
        assertThat(store.health().up()).isFalse();
    }

    @Test
    void aRecordChangedOutsideRotorIsReportedAsSuch() throws Exception {
        var d = io.github.jopenlibs.vault.Vault.create(new io.github.jopenlibs.vault.VaultConfig()
                .address(fake.address()).token(fake.rootToken()).engineVersion(2).build(), 2);
        d.logical().write("secret/_rotor/state/app/db", Map.of("versions", "not a list"));

        assertThatThrownBy(() -> store.get("app/db"))
                .isInstanceOf(dev.rotor.StoreIntegrityException.class)
                .hasMessageContaining("_rotor/state/app/db");
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }
}
