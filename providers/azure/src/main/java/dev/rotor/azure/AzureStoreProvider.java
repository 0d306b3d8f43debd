package dev.rotor.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretStore;
import dev.rotor.spi.ConfigBinder;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Provider of type {@code azure}: Azure Key Vault secrets.
 *
 * <pre>{@code
 * stores:
 *   vault:
 *     type: azure
 *     vaultUrl: https://my-vault.vault.azure.net   # required, https
 *     credential: default          # or client-secret
 *     tenantId: 00000000-...       # client-secret: required
 *     clientId: 00000000-...       # client-secret: required; default: a user-assigned identity
 *     clientSecretEnv: AZURE_CLIENT_SECRET   # client-secret: the variable holding the secret
 *     connectTimeout: PT10S
 *     requestTimeout: PT30S
 *     maxRetries: 0
 *     recoverDeleted: false
 *     purgeOnDelete: true
 * }</pre>
 *
 * The HTTP client is the JDK's ({@code java.net.http}). Stateless and thread-safe.
 */
public final class AzureStoreProvider implements SecretStoreProvider {

    public static final String TYPE = "azure";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern GUID_OR_DOMAIN = Pattern.compile("[A-Za-z0-9.-]{1,256}");

    private final UnaryOperator<SecretClientBuilder> customizer;

    public AzureStoreProvider() {
        this(UnaryOperator.identity());
    }

    /**
     * A provider that lets {@code customizer} adjust every client it builds (after the settings are
     * applied): another HTTP client, credential or pipeline policy.
     */
    public AzureStoreProvider(UnaryOperator<SecretClientBuilder> customizer) {
        this.customizer = Objects.requireNonNull(customizer, "customizer");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Capabilities capabilities() {
        return AzureSecretStore.CAPABILITIES;
    }

    /** Checks the settings without touching the network or reading the client secret. */
    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        AzureStoreSettings s = ConfigBinder.bind(config, AzureStoreSettings.class, problems);
        if (s == null) {
            return problems;
        }
        checkVaultUrl(config, s.vaultUrl(), problems);
        String kind = s.effectiveCredential();
        switch (kind) {
            case AzureStoreSettings.CREDENTIAL_DEFAULT -> {
                if (s.clientSecretEnv() != null) {
                    problems.add(new ConfigProblem(config.fieldPath("clientSecretEnv"),
                            "is only used with credential: client-secret"));
                }
            }
            case AzureStoreSettings.CREDENTIAL_CLIENT_SECRET -> {
                require(config, "tenantId", s.tenantId(), problems);
                require(config, "clientId", s.clientId(), problems);
                if (s.clientSecretEnv() == null || s.clientSecretEnv().isBlank()) {
                    problems.add(new ConfigProblem(config.fieldPath("clientSecretEnv"),
                            "is required for credential: client-secret: the environment variable that holds the client secret"));
                } else if (!ENV_NAME.matcher(s.clientSecretEnv()).matches()) {
                    problems.add(new ConfigProblem(config.fieldPath("clientSecretEnv"), "'" + s.clientSecretEnv()
                            + "' is not an environment variable name (letters, digits and '_', not starting with a digit)"));
                }
            }
            default -> problems.add(new ConfigProblem(config.fieldPath("credential"),
                    "unknown credential '" + kind + "' (known: default, client-secret)"));
        }
        checkId(config, "tenantId", s.tenantId(), problems);
        checkId(config, "clientId", s.clientId(), problems);
        checkPositive(config, "connectTimeout", s.connectTimeout(), problems);
        checkPositive(config, "requestTimeout", s.requestTimeout(), problems);
        checkPositive(config, "deleteTimeout", s.deleteTimeout(), problems);
        checkPositive(config, "pollInterval", s.pollInterval(), problems);
        if (s.maxRetries() != null && (s.maxRetries() < 0 || s.maxRetries() > 10)) {
            problems.add(new ConfigProblem(config.fieldPath("maxRetries"), "must be between 0 and 10"));
        }
        return problems;
    }

    private static void checkVaultUrl(StoreConfig config, @Nullable String url, List<ConfigProblem> problems) {
        String field = config.fieldPath("vaultUrl");
        if (url == null || url.isBlank()) {
            problems.add(new ConfigProblem(field, "is required: the vault's URL, e.g. https://my-vault.vault.azure.net"));
            return;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            problems.add(new ConfigProblem(field, "'" + url + "' is not a URL"));
            return;
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            problems.add(new ConfigProblem(field, "'" + url + "' must use https: Key Vault is served over TLS only,"
                    + " and the Azure SDK sends access tokens only over https"));
            return;
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            problems.add(new ConfigProblem(field, "'" + url + "' has no host name"));
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
            problems.add(new ConfigProblem(field, "'" + url + "' must be the vault's base URL alone, without path, query or user"));
        }
    }

    private static void require(StoreConfig config, String key, @Nullable String value, List<ConfigProblem> problems) {
        if (value == null || value.isBlank()) {
            problems.add(new ConfigProblem(config.fieldPath(key), "is required for credential: client-secret"));
        }
    }

    private static void checkId(StoreConfig config, String key, @Nullable String value, List<ConfigProblem> problems) {
        if (value != null && !value.isBlank() && !GUID_OR_DOMAIN.matcher(value).matches()) {
            problems.add(new ConfigProblem(config.fieldPath(key), "must be a GUID or a domain name"));
        }
    }

    private static void checkPositive(StoreConfig config, String key, @Nullable Duration value, List<ConfigProblem> problems) {
        if (value != null && (value.isNegative() || value.isZero())) {
            problems.add(new ConfigProblem(config.fieldPath(key), "must be positive"));
        }
    }

    /**
     * Builds the credential and the client and opens the store. Nothing is sent to Azure until the
     * first operation (call {@link SecretStore#health()} to check access).
     *
     * @throws InvalidConfigurationException listing every bad setting, or naming
     *     {@code clientSecretEnv} if its variable is not set
     */
    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        InvalidConfigurationException.throwIfAny(validate(config, context));
        AzureStoreSettings s = ConfigBinder.bind(config, AzureStoreSettings.class, new ArrayList<>());
        TokenCredential credential = credential(config, context, s);
        HttpClient http = new JdkHttpClientBuilder()
                .connectionTimeout(s.effectiveConnectTimeout())
                .responseTimeout(s.effectiveRequestTimeout())
                .readTimeout(s.effectiveRequestTimeout())
                .build();
        SecretClientBuilder builder = new SecretClientBuilder()
                .vaultUrl(stripSlash(s.vaultUrl()))
                .credential(credential)
                .httpClient(http)
                .retryOptions(retryOptions(s.effectiveMaxRetries()))
                .addPolicy(new ContentLengthPolicy());
        SecretClient client = customizer.apply(builder).buildClient();
        return new AzureSecretStore(config.name(), client, s, context.clock(), MoveLocks.SHARED);
    }

    static RetryOptions retryOptions(int maxRetries) {
        return new RetryOptions(new ExponentialBackoffOptions()
                .setMaxRetries(maxRetries)
                .setBaseDelay(Duration.ofMillis(800))
                .setMaxDelay(Duration.ofSeconds(30)));
    }

    private static TokenCredential credential(StoreConfig config, StoreContext context, AzureStoreSettings s) {
        if (s.effectiveCredential().equals(AzureStoreSettings.CREDENTIAL_CLIENT_SECRET)) {
            String env = s.clientSecretEnv();
            String secret = context.env(env);
            if (secret == null || secret.isBlank()) {
                throw new InvalidConfigurationException(config.fieldPath("clientSecretEnv"),
                        "environment variable " + env + " is not set; set it to the client secret of application " + s.clientId());
            }
            return new ClientSecretCredentialBuilder()
                    .tenantId(s.tenantId())
                    .clientId(s.clientId())
                    .clientSecret(secret)
                    .build();
        }
        DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder();
        if (s.tenantId() != null) {
            builder.tenantId(s.tenantId());
        }
        if (s.clientId() != null) {
            builder.managedIdentityClientId(s.clientId()).workloadIdentityClientId(s.clientId());
        }
        return builder.build();
    }

    private static String stripSlash(String url) {
        String u = url.trim();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }
}
