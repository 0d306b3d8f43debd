package dev.rotor.vault;

import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vault a test talks to: a real Vault or OpenBao when {@code VAULT_ADDR} and {@code VAULT_TOKEN}
 * are set (KV v2 mount from {@code VAULT_KV_MOUNT}, default {@code secret}; every run works under
 * its own path prefix), otherwise the in-process {@link FakeVaultServer}.
 */
final class VaultFixture implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VaultFixture.class);

    private final @Nullable FakeVaultServer fake;
    private final String address;
    private final String token;
    private final String mount;
    private final String pathPrefix;

    private VaultFixture(@Nullable FakeVaultServer fake, String address, String token, String mount, String pathPrefix) {
        this.fake = fake;
        this.address = address;
        this.token = token;
        this.mount = mount;
        this.pathPrefix = pathPrefix;
    }

    static VaultFixture create(Clock clock) {
        String addr = System.getenv("VAULT_ADDR");
        String tok = System.getenv("VAULT_TOKEN");
        if (addr != null && !addr.isBlank() && tok != null && !tok.isBlank()) {
            String mount = System.getenv().getOrDefault("VAULT_KV_MOUNT", "secret");
            byte[] b = new byte[6];
            new SecureRandom().nextBytes(b);
            String prefix = "rotor-it/" + HexFormat.of().formatHex(b);
            LOG.info("testing against the real Vault at {} (mount {}, prefix {})", addr, mount, prefix);
            return new VaultFixture(null, addr, tok, mount, prefix);
        }
        FakeVaultServer fake = FakeVaultServer.start(clock);
        LOG.info("testing against the fake Vault at {} (set VAULT_ADDR and VAULT_TOKEN for a real one)", fake.address());
        return new VaultFixture(fake, fake.address(), fake.rootToken(), "secret", "");
    }

    boolean isReal() {
        return fake == null;
    }

    @Nullable FakeVaultServer fake() {
        return fake;
    }

    String address() {
        return address;
    }

    String token() {
        return token;
    }

    String mount() {
        return mount;
    }

    /** Store settings pointing at this Vault with token auth from {@code VAULT_TOKEN}. */
    Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("address", address);
        s.put("mount", mount);
        if (!pathPrefix.isEmpty()) {
            s.put("pathPrefix", pathPrefix);
        }
        return s;
    }

    StoreContext context(Clock clock) {
        return new StoreContext(clock, Map.of("VAULT_TOKEN", token)::get, Path.of("").toAbsolutePath());
    }

    VaultSecretStore open(String name, Clock clock) {
        return new VaultStoreProvider().open(new StoreConfig(name, "vault", settings()), context(clock), RenewalScheduler.daemon(name));
    }

    @Override
    public void close() {
        if (fake != null) {
            fake.close();
        }
    }
}
