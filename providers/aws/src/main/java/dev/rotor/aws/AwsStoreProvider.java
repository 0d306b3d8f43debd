package dev.rotor.aws;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/**
 * Provider of type {@code aws}: AWS Secrets Manager through the AWS SDK for Java v2.
 *
 * <pre>{@code
 * stores:
 *   aws:
 *     type: aws
 *     region: eu-west-1                  # required
 *     endpoint: https://vpce-...         # optional endpoint override
 *     namePrefix: prod/                  # optional, prepended to every path
 *     credentials:                       # optional; default: the SDK's default chain
 *       type: static                     # default | static | profile
 *       accessKeyIdEnv: ROTOR_AWS_ACCESS_KEY_ID
 *       secretAccessKeyEnv: ROTOR_AWS_SECRET_ACCESS_KEY
 *       sessionTokenEnv: ROTOR_AWS_SESSION_TOKEN   # optional
 *     connectTimeout: PT2S               # optional timeouts (ISO-8601 durations)
 *     readTimeout: PT10S
 *     apiCallAttemptTimeout: PT10S
 *     apiCallTimeout: PT30S
 *     sdkMaxAttempts: 1                  # the SDK's own attempts; Rotor's retry layer backs off
 *     kmsKeyId: alias/rotor              # optional KMS key for new secrets
 *     secretTags: {team: payments}       # optional AWS tags for new secrets
 * }</pre>
 *
 * {@link #validate} touches neither the network nor the environment; {@link #open} reads
 * the credential variables of a {@code static} configuration and builds the client, still
 * without a network call. Stateless and thread-safe.
 */
public final class AwsStoreProvider implements SecretStoreProvider {

    public static final String TYPE = "aws";
    /** AWS allows 50 tags per secret; Rotor keeps up to 40 for per-version records, the rest is the user's. */
    public static final int MAX_SECRET_TAGS = 10;

    private static final Pattern REGION = Pattern.compile("[a-z]{2,}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern NAME_PREFIX = Pattern.compile("[A-Za-z0-9/_+=.@-]*");
    private static final Pattern TAG_TEXT = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    private static final Set<String> INLINE_SECRETS = Set.of("accessKeyId", "secretAccessKey", "sessionToken",
            "aws_access_key_id", "aws_secret_access_key", "aws_session_token");
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_NAME_PREFIX = 256;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Capabilities capabilities() {
        return AwsSecretStore.CAPABILITIES;
    }

    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        AwsStoreSettings s = bind(config, problems);
        if (s == null) {
            return problems;
        }
        if (s.region() == null || s.region().isBlank()) {
            problems.add(new ConfigProblem(config.fieldPath("region"), "is required: the AWS region of the secrets, e.g. us-east-1"));
        } else if (!REGION.matcher(s.region()).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("region"), "'" + s.region() + "' is not an AWS region name (e.g. us-east-1)"));
        }
        if (s.endpoint() != null) {
            String problem = endpointProblem(s.endpoint());
            if (problem != null) {
                problems.add(new ConfigProblem(config.fieldPath("endpoint"), problem));
            }
        }
        String prefix = s.effectiveNamePrefix();
        if (prefix.length() > MAX_NAME_PREFIX) {
            problems.add(new ConfigProblem(config.fieldPath("namePrefix"), "is longer than " + MAX_NAME_PREFIX + " characters"));
        } else if (!NAME_PREFIX.matcher(prefix).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("namePrefix"),
                    "may hold only the characters AWS allows in secret names: A-Z a-z 0-9 / _ + = . @ -"));
        }
        checkCredentials(config, s.effectiveCredentials(), problems);
        checkTimeout(config, "connectTimeout", s.connectTimeout(), problems);
        checkTimeout(config, "readTimeout", s.readTimeout(), problems);
        boolean attemptOk = checkTimeout(config, "apiCallAttemptTimeout", s.apiCallAttemptTimeout(), problems);
        boolean callOk = checkTimeout(config, "apiCallTimeout", s.apiCallTimeout(), problems);
        if (attemptOk && callOk && s.effectiveApiCallAttemptTimeout().compareTo(s.effectiveApiCallTimeout()) > 0) {
            problems.add(new ConfigProblem(config.fieldPath("apiCallAttemptTimeout"),
                    "must not be longer than apiCallTimeout (" + s.effectiveApiCallTimeout() + ")"));
        }
        if (s.sdkMaxAttempts() != null && (s.sdkMaxAttempts() < 1 || s.sdkMaxAttempts() > 10)) {
            problems.add(new ConfigProblem(config.fieldPath("sdkMaxAttempts"), "must be between 1 and 10 (was " + s.sdkMaxAttempts() + ")"));
        }
        if (s.kmsKeyId() != null && s.kmsKeyId().isBlank()) {
            problems.add(new ConfigProblem(config.fieldPath("kmsKeyId"), "is empty; leave it out to use AWS's default key"));
        }
        checkSecretTags(config, s.effectiveSecretTags(), problems);
        return problems;
    }

    /** Binds the settings; inline credentials get their own problem instead of a generic "unknown setting". */
    private static @Nullable AwsStoreSettings bind(StoreConfig config, List<ConfigProblem> problems) {
        Map<String, Object> settings = new LinkedHashMap<>(config.settings());
        for (String key : INLINE_SECRETS) {
            if (settings.remove(key) != null) {
                problems.add(inlineSecret(config, key));
            }
        }
        if (settings.get("credentials") instanceof Map<?, ?> creds) {
            Map<Object, Object> copy = new LinkedHashMap<>(creds);
            for (String key : INLINE_SECRETS) {
                if (copy.remove(key) != null) {
                    problems.add(inlineSecret(config, "credentials." + key));
                }
            }
            settings.put("credentials", copy);
        }
        return ConfigBinder.bind(new StoreConfig(config.name(), config.type(), settings), AwsStoreSettings.class, problems);
    }

    private static ConfigProblem inlineSecret(StoreConfig config, String key) {
        return new ConfigProblem(config.fieldPath(key), "credentials are never written into the configuration: put them in "
                + "environment variables and name those with credentials.accessKeyIdEnv / secretAccessKeyEnv (type: static), "
                + "or use the default chain");
    }

    private static @Nullable String endpointProblem(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            return "'" + endpoint + "' is not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "'" + endpoint + "' must be an http:// or https:// URL";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "'" + endpoint + "' has no host";
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            return "'" + endpoint + "' must not have a query, fragment or user info";
        }
        return null;
    }

    private static void checkCredentials(StoreConfig config, AwsStoreSettings.Credentials c, List<ConfigProblem> problems) {
        String type = c.effectiveType();
        switch (type) {
            case AwsStoreSettings.Credentials.DEFAULT -> {
                unexpected(config, "credentials.accessKeyIdEnv", c.accessKeyIdEnv(), type, problems);
                unexpected(config, "credentials.secretAccessKeyEnv", c.secretAccessKeyEnv(), type, problems);
                unexpected(config, "credentials.sessionTokenEnv", c.sessionTokenEnv(), type, problems);
                unexpected(config, "credentials.profile", c.profile(), type, problems);
            }
            case AwsStoreSettings.Credentials.STATIC -> {
                envName(config, "credentials.accessKeyIdEnv", c.accessKeyIdEnv(), true, problems);
                envName(config, "credentials.secretAccessKeyEnv", c.secretAccessKeyEnv(), true, problems);
                envName(config, "credentials.sessionTokenEnv", c.sessionTokenEnv(), false, problems);
                unexpected(config, "credentials.profile", c.profile(), type, problems);
            }
            case AwsStoreSettings.Credentials.PROFILE -> {
                if (c.profile() == null || c.profile().isBlank()) {
                    problems.add(new ConfigProblem(config.fieldPath("credentials.profile"), "is required for credentials.type profile"));
                }
                unexpected(config, "credentials.accessKeyIdEnv", c.accessKeyIdEnv(), type, problems);
                unexpected(config, "credentials.secretAccessKeyEnv", c.secretAccessKeyEnv(), type, problems);
                unexpected(config, "credentials.sessionTokenEnv", c.sessionTokenEnv(), type, problems);
            }
            default -> problems.add(new ConfigProblem(config.fieldPath("credentials.type"),
                    "unknown credentials type '" + type + "' (known: default, profile, static)"));
        }
    }

    private static void unexpected(StoreConfig config, String field, @Nullable String value, String type, List<ConfigProblem> problems) {
        if (value != null) {
            problems.add(new ConfigProblem(config.fieldPath(field), "does not apply to credentials.type " + type));
        }
    }

    private static void envName(StoreConfig config, String field, @Nullable String name, boolean required, List<ConfigProblem> problems) {
        if (name == null) {
            if (required) {
                problems.add(new ConfigProblem(config.fieldPath(field), "is required for credentials.type static: the name of an environment variable"));
            }
        } else if (!ENV_NAME.matcher(name).matches()) {
            problems.add(new ConfigProblem(config.fieldPath(field),
                    "'" + name + "' is not an environment variable name (letters, digits and '_', not starting with a digit)"));
        }
    }

    private static boolean checkTimeout(StoreConfig config, String field, @Nullable Duration d, List<ConfigProblem> problems) {
        if (d == null) {
            return true;
        }
        if (d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            problems.add(new ConfigProblem(config.fieldPath(field), "must be positive and at most " + MAX_TIMEOUT + " (was " + d + ")"));
            return false;
        }
        return true;
    }

    private static void checkSecretTags(StoreConfig config, Map<String, String> tags, List<ConfigProblem> problems) {
        if (tags.size() > MAX_SECRET_TAGS) {
            problems.add(new ConfigProblem(config.fieldPath("secretTags"), "holds " + tags.size() + " tags; at most " + MAX_SECRET_TAGS
                    + " (AWS allows 50 per secret and Rotor keeps per-version records in the others)"));
        }
        tags.forEach((k, v) -> {
            String field = "secretTags." + k;
            if (k.isEmpty() || k.length() > 128 || !TAG_TEXT.matcher(k).matches()) {
                problems.add(new ConfigProblem(config.fieldPath(field), "is not an AWS tag key (1-128 letters, digits, spaces and _ . : / = + - @)"));
            } else if (k.toLowerCase(Locale.ROOT).startsWith("aws:") || k.startsWith("rotor:")) {
                problems.add(new ConfigProblem(config.fieldPath(field), "tag keys starting with 'aws:' or 'rotor:' are reserved"));
            }
            if (v == null || v.length() > 256 || !TAG_TEXT.matcher(v).matches()) {
                problems.add(new ConfigProblem(config.fieldPath(field), "is not an AWS tag value (0-256 letters, digits, spaces and _ . : / = + - @)"));
            }
        });
    }

    /**
     * Builds the SDK client and opens the store. No network call is made: the first operation
     * makes the first one.
     *
     * @throws InvalidConfigurationException listing every problem with the settings, or naming
     *     the credential variable that is not set
     */
    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = validate(config, context);
        InvalidConfigurationException.throwIfAny(problems);
        AwsStoreSettings s = bind(config, new ArrayList<>());
        AwsCredentialsProvider credentials = credentials(config, context, s.effectiveCredentials());
        SecretsManagerClientBuilder b = SecretsManagerClient.builder()
                .region(Region.of(s.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(s.effectiveConnectTimeout())
                        .socketTimeout(s.effectiveReadTimeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(s.effectiveApiCallAttemptTimeout())
                        .apiCallTimeout(s.effectiveApiCallTimeout())
                        .retryStrategy(s.effectiveSdkMaxAttempts() == 1
                                ? AwsRetryStrategy.doNotRetry()
                                : AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(s.effectiveSdkMaxAttempts()).build())
                        .build());
        String endpoint = s.endpoint() != null ? s.endpoint() : "https://secretsmanager." + s.region() + ".amazonaws.com";
        if (s.endpoint() != null) {
            b.endpointOverride(URI.create(s.endpoint()));
        }
        return new AwsSecretStore(config.name(), b.build(), new AwsSecretStore.Options(s.region(), endpoint,
                s.effectiveNamePrefix(), s.kmsKeyId(), s.effectiveSecretTags()), context.clock(),
                credentials instanceof AutoCloseable closeable ? closeable : null);
    }

    private static AwsCredentialsProvider credentials(StoreConfig config, StoreContext context, AwsStoreSettings.Credentials c) {
        return switch (c.effectiveType()) {
            case AwsStoreSettings.Credentials.STATIC -> {
                List<ConfigProblem> problems = new ArrayList<>();
                String id = envValue(config, context, "credentials.accessKeyIdEnv", c.accessKeyIdEnv(), problems);
                String secret = envValue(config, context, "credentials.secretAccessKeyEnv", c.secretAccessKeyEnv(), problems);
                String token = c.sessionTokenEnv() == null ? null
                        : envValue(config, context, "credentials.sessionTokenEnv", c.sessionTokenEnv(), problems);
                InvalidConfigurationException.throwIfAny(problems);
                yield StaticCredentialsProvider.create(token == null
                        ? AwsBasicCredentials.create(id, secret)
                        : AwsSessionCredentials.create(id, secret, token));
            }
            case AwsStoreSettings.Credentials.PROFILE -> ProfileCredentialsProvider.builder().profileName(c.profile()).build();
            default -> DefaultCredentialsProvider.builder().build();
        };
    }

    private static @Nullable String envValue(StoreConfig config, StoreContext context, String field, String name, List<ConfigProblem> problems) {
        String value = context.env(name);
        if (value == null || value.isBlank()) {
            problems.add(new ConfigProblem(config.fieldPath(field), "environment variable " + name + " is not set"));
            return null;
        }
        return value.strip();
    }
}
