package dev.rotor.azure;

import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.rotor.SecretValue;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One Azure version of one Azure secret, as read: its properties, Rotor's record from its tags
 * and, when it was read with {@code getSecret}, its value. {@link #toString()} never shows the
 * value.
 */
final class AzVersion {

    /** Key of the tag that shows an Azure version's expiry in {@link dev.rotor.VersionInfo#tags()}. */
    static final String TAG_EXPIRES_ON = "azure.expiresOn";
    static final String TAG_NOT_BEFORE = "azure.notBefore";
    static final String TAG_ENABLED = "azure.enabled";

    final SecretProperties properties;
    final String azureVersion;
    final Instant azureCreated;
    final VersionMeta meta;
    private final @Nullable String value;
    private final boolean hasValue;

    private AzVersion(SecretProperties properties, @Nullable String value, boolean hasValue) {
        this.properties = properties;
        this.azureVersion = Objects.requireNonNull(properties.getVersion(), "version of an Azure secret");
        OffsetDateTime created = properties.getCreatedOn();
        this.azureCreated = created == null ? Instant.EPOCH : created.toInstant();
        this.meta = VersionMeta.of(properties.getTags());
        this.value = value;
        this.hasValue = hasValue;
    }

    static AzVersion of(KeyVaultSecret secret) {
        return new AzVersion(secret.getProperties(), secret.getValue(), true);
    }

    /** From a listing: properties only, no value. */
    static AzVersion of(SecretProperties properties) {
        return new AzVersion(properties, null, false);
    }

    String rotorId() {
        return meta.rotorId(azureVersion);
    }

    /** When the Rotor version was first written. */
    Instant created() {
        return meta.created() != null ? meta.created() : azureCreated;
    }

    /** Written by a Rotor {@code put} (not a copy, a repair or a marker). */
    boolean isOriginal() {
        return meta.id() == null && !meta.marker();
    }

    boolean isForeign() {
        return meta == VersionMeta.FOREIGN;
    }

    boolean enabled() {
        return !Boolean.FALSE.equals(properties.isEnabled());
    }

    @Nullable String contentType() {
        return properties.getContentType();
    }

    boolean hasValue() {
        return hasValue;
    }

    /** The value; only for versions read with their value. */
    SecretValue value() {
        if (!hasValue) {
            throw new IllegalStateException("version " + azureVersion + " was listed, not read");
        }
        return ValueCodec.decode(value, properties.getContentType());
    }

    /** The raw stored string, for copying the version unchanged. */
    String rawValue() {
        if (!hasValue) {
            throw new IllegalStateException("version " + azureVersion + " was listed, not read");
        }
        return value == null ? "" : value;
    }

    /** The tags the user gave (Azure tags without Rotor's record). */
    Map<String, String> azureUserTags() {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> tags = properties.getTags();
        if (tags != null) {
            tags.forEach((k, v) -> {
                if (!k.equals(VersionMeta.TAG)) {
                    out.put(k, v == null ? "" : v);
                }
            });
        }
        return out;
    }

    /** The tags Rotor shows: the user's tags and the attributes that differ from their defaults. */
    Map<String, String> rotorTags() {
        Map<String, String> out = azureUserTags();
        if (properties.getExpiresOn() != null) {
            out.put(TAG_EXPIRES_ON, properties.getExpiresOn().toInstant().toString());
        }
        if (properties.getNotBefore() != null) {
            out.put(TAG_NOT_BEFORE, properties.getNotBefore().toInstant().toString());
        }
        if (!enabled()) {
            out.put(TAG_ENABLED, "false");
        }
        return out;
    }

    @Override
    public String toString() {
        return "AzVersion[" + properties.getName() + "/" + azureVersion + ", rotor=" + meta.format() + ", value=<redacted>]";
    }
}
