package dev.rotor.testkit;

import dev.rotor.spi.ForwardingSecretStore;
import dev.rotor.ConflictException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A store that accepts any non-empty path up to 4096 characters, as some backends do: each
 * path is kept in the delegate under a hash of its {@linkplain #canonical canonical form}.
 * It exercises the round-trip branch of the contract's odd-path cases.
 */
class AnyPathStore extends ForwardingSecretStore {

    private static final String ROOT = "h/";
    private final Map<String, String> pathsByKey = new ConcurrentHashMap<>();

    AnyPathStore(SecretStore delegate) {
        super(delegate);
    }

    /** The path a secret is kept under; this store keeps paths exactly as given. */
    protected String canonical(String path) {
        return path;
    }

    private String key(String path) {
        if (path == null || path.isEmpty()) {
            throw new InvalidSecretRefException(String.valueOf(path), "path is empty", 0);
        }
        if (path.length() > 4096) {
            throw new InvalidSecretRefException(path.substring(0, 64) + "...", "path is longer than 4096 characters", 4096);
        }
        String canonical = canonical(path);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            String key = ROOT + HexFormat.of().formatHex(hash);
            pathsByKey.put(key, canonical);
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a delegate call, putting the caller's path back into error messages. */
    private <T> T call(String path, String key, Supplier<T> op) {
        try {
            return op.get();
        } catch (SecretNotFoundException e) {
            throw new SecretNotFoundException(e.getMessage().replace(key, path));
        } catch (ConflictException e) {
            throw new ConflictException(e.getMessage().replace(key, path));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace(key, path));
        }
    }

    @Override
    public Secret get(String path, Selector selector) {
        String key = key(path);
        Secret s = call(path, key, () -> delegate.get(key, selector));
        return new Secret(canonical(path), s.version(), s.value());
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        String key = key(path);
        return call(path, key, () -> delegate.put(key, value, options));
    }

    @Override
    public List<VersionInfo> versions(String path) {
        String key = key(path);
        return call(path, key, () -> delegate.versions(key));
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        String key = key(path);
        return call(path, key, () -> delegate.promote(key, versionId, expectedCurrentVersionId));
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        String key = key(path);
        call(path, key, () -> {
            delegate.moveStage(key, stage, versionId, expectedVersionId);
            return null;
        });
    }

    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return delegate.list(ROOT).stream()
                .map(pathsByKey::get)
                .filter(p -> p != null && p.startsWith(prefix))
                .sorted()
                .toList();
    }

    @Override
    public void delete(String path) {
        String key = key(path);
        call(path, key, () -> {
            delegate.delete(key);
            return null;
        });
    }
}
