package dev.rotor.aws;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an {@code aws} store under {@code stores.<name>} in {@code rotor.yaml}.
 * Unset optional settings take the defaults named below; {@link AwsStoreProvider#validate}
 * checks them all.
 *
 * @param region the AWS region of the secrets, e.g. {@code us-east-1}; required
 * @param endpoint an endpoint to use instead of the region's, e.g. a VPC endpoint or a test
 *     server ({@code http://127.0.0.1:4566}); optional
 * @param namePrefix prepended to every path to make the AWS secret name, e.g. {@code prod/};
 *     optional, default none
 * @param credentials where the AWS credentials come from; default: the SDK's default chain
 * @param connectTimeout how long to wait for a connection; default 2 s
 * @param readTimeout how long to wait for a byte of an answer; default 10 s
 * @param apiCallAttemptTimeout how long one HTTP attempt may take in all; default 10 s
 * @param apiCallTimeout how long one call may take, SDK retries included; default 30 s
 * @param sdkMaxAttempts attempts the SDK itself makes per call; default 1 (no SDK retries:
 *     Rotor's retry layer backs off with jitter instead, so attempts do not multiply)
 * @param kmsKeyId the KMS key for newly created secrets; default AWS's {@code aws/secretsmanager}
 * @param secretTags AWS tags put on every secret this store creates (cost allocation, ABAC);
 *     at most {@value AwsStoreProvider#MAX_SECRET_TAGS}
 */
public record AwsStoreSettings(
        @Nullable String region,
        @Nullable String endpoint,
        @Nullable String namePrefix,
        @Nullable Credentials credentials,
        @Nullable Duration connectTimeout,
        @Nullable Duration readTimeout,
        @Nullable Duration apiCallAttemptTimeout,
        @Nullable Duration apiCallTimeout,
        @Nullable Integer sdkMaxAttempts,
        @Nullable String kmsKeyId,
        @Nullable Map<String, String> secretTags) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_API_CALL_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_SDK_MAX_ATTEMPTS = 1;

    public String effectiveNamePrefix() {
        return namePrefix == null ? "" : namePrefix;
    }

    public Credentials effectiveCredentials() {
        return credentials == null ? new Credentials(null, null, null, null, null) : credentials;
    }

    public Duration effectiveConnectTimeout() {
        return connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
    }

    public Duration effectiveReadTimeout() {
        return readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout;
    }

    public Duration effectiveApiCallAttemptTimeout() {
        return apiCallAttemptTimeout == null ? DEFAULT_API_CALL_ATTEMPT_TIMEOUT : apiCallAttemptTimeout;
    }

    public Duration effectiveApiCallTimeout() {
        return apiCallTimeout == null ? DEFAULT_API_CALL_TIMEOUT : apiCallTimeout;
    }

    public int effectiveSdkMaxAttempts() {
        return sdkMaxAttempts == null ? DEFAULT_SDK_MAX_ATTEMPTS : sdkMaxAttempts;
    }

    public Map<String, String> effectiveSecretTags() {
        return secretTags == null ? Map.of() : secretTags;
    }

    /**
     * Where credentials come from. Secrets are never written into {@code rotor.yaml}: the static
     * kind names the environment variables that hold them.
     *
     * @param type {@code default} (the SDK's default chain: environment, system properties,
     *     web identity, profile files, container and instance roles), {@code static} (an access
     *     key from the environment variables named below) or {@code profile} (a named profile of
     *     the shared AWS config files); default {@code default}
     * @param accessKeyIdEnv for {@code static}: the variable holding the access key id
     * @param secretAccessKeyEnv for {@code static}: the variable holding the secret access key
     * @param sessionTokenEnv for {@code static}, optional: the variable holding a session token
     * @param profile for {@code profile}: the profile name
     */
    public record Credentials(
            @Nullable String type,
            @Nullable String accessKeyIdEnv,
            @Nullable String secretAccessKeyEnv,
            @Nullable String sessionTokenEnv,
            @Nullable String profile) {

        public static final String DEFAULT = "default";
        public static final String STATIC = "static";
        public static final String PROFILE = "profile";

        public String effectiveType() {
            return type == null ? DEFAULT : type;
        }
    }
}
